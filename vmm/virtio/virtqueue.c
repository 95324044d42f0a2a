// SPDX-License-Identifier: GPL-2.0
/*
 * The split virtqueue from the device side (virtio 1.x, 2.7). The rings are
 * guest RAM the driver writes on another CPU while we read it, so:
 *   - every value the driver controls is read once into a local and checked
 *     there (a descriptor is copied whole before any field is used);
 *   - the indices are atomics with the ordering the spec's barriers need
 *     (2.7.13 and 2.7.7: the driver writes ring entries, then idx; the
 *     device reads idx, then entries; the same the other way for used);
 *   - everything is little-endian on the wire (2.4: virtio 1.x is LE).
 */
#include "virtio/virtqueue.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

/* The ring layouts (2.7.5, 2.7.6, 2.7.8), as offsets: all fields are LE. */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

#define DESC_SIZE 16
#define AVAIL_RING_OFF 4 /* flags, idx, then ring[size], then used_event */
#define USED_RING_OFF 4	 /* flags, idx, then { id, len }[size], then avail_event */
#define USED_ELEM_SIZE 8

/* Alignment the spec requires of each part (2.7: Virtqueue Alignment table). */
#define DESC_ALIGN 16
#define AVAIL_ALIGN 2
#define USED_ALIGN 4

_Static_assert(sizeof(struct vring_desc) == DESC_SIZE, "descriptor layout");

static uint16_t *avail_flags(const struct virtq *vq)
{
	return (uint16_t *)vq->avail;
}

static uint16_t *avail_idx(const struct virtq *vq)
{
	return (uint16_t *)vq->avail + 1;
}

static uint16_t *avail_ring(const struct virtq *vq, uint16_t i)
{
	return (uint16_t *)vq->avail + 2 + i;
}

static uint16_t *used_event(const struct virtq *vq)
{
	return avail_ring(vq, vq->size);
}

static uint16_t *used_flags(const struct virtq *vq)
{
	return (uint16_t *)vq->used;
}

static uint16_t *used_idx(const struct virtq *vq)
{
	return (uint16_t *)vq->used + 1;
}

static uint32_t *used_elem(const struct virtq *vq, uint16_t i)
{
	return (uint32_t *)((uint8_t *)vq->used + USED_RING_OFF + (size_t)i * USED_ELEM_SIZE);
}

static uint16_t *avail_event(const struct virtq *vq)
{
	return (uint16_t *)used_elem(vq, vq->size);
}

/* Relaxed: a single untorn read of a field the driver may be writing. */
static uint16_t guest_load16(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static void guest_store16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

void virtq_reset(struct virtq *vq)
{
	*vq = (struct virtq){ 0 };
}

static bool size_valid(uint16_t size)
{
	return size && size <= VIRTQ_MAX_SIZE && !(size & (size - 1));
}

static int ring_resolve(const struct guest_mem *mem, uint64_t gpa, uint64_t len, uint64_t align,
			void **out)
{
	if (gpa % align)
		return -EINVAL;
	*out = guest_mem_ptr(mem, gpa, len);
	return *out ? 0 : -EFAULT;
}

int virtq_activate(struct virtq *vq, const struct guest_mem *mem)
{
	/* The event fields exist only with EVENT_IDX (2.7.6, 2.7.8): the ring ends before them. */
	uint64_t event = vq->event_idx ? 2 : 0;
	void *desc, *avail, *used;
	int ret;

	if (!size_valid(vq->size))
		return -EINVAL;
	ret = ring_resolve(mem, vq->desc_gpa, (uint64_t)vq->size * DESC_SIZE, DESC_ALIGN, &desc) ?:
	      ring_resolve(mem, vq->avail_gpa, AVAIL_RING_OFF + 2ULL * vq->size + event,
			   AVAIL_ALIGN, &avail) ?:
	      ring_resolve(mem, vq->used_gpa,
			   USED_RING_OFF + (uint64_t)USED_ELEM_SIZE * vq->size + event, USED_ALIGN,
			   &used);
	if (ret)
		return ret;
	vq->mem = mem;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	return 0;
}

/* Where one walk is: the table it follows and what it has gathered so far. */
struct walk {
	const uint8_t *table; /* the queue's descriptor table or an indirect one */
	uint32_t nr;	      /* entries in it */
	bool nested;	      /* inside an indirect table */
	uint64_t total;	      /* bytes in all segments so far */
	struct virtq_chain *chain;
};

static void desc_read(const struct walk *w, uint32_t i, struct vring_desc *d)
{
	memcpy(d, w->table + (size_t)i * DESC_SIZE, DESC_SIZE);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/* One buffer onto the chain: readable ones all before writable ones (2.7.4.2). */
static int segment_add(const struct virtq *vq, struct walk *w, const struct vring_desc *d)
{
	struct virtq_chain *c = w->chain;
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	struct iovec *iov;
	void *host;

	if (!writable && c->nr_in)
		return -EINVAL;
	/* An empty buffer carries nothing, and its address need not be RAM. */
	if (!d->len)
		return 0;
	w->total += d->len;
	if (w->total > UINT32_MAX)
		return -EOVERFLOW;
	if (c->nr_out + c->nr_in >= VIRTQ_CHAIN_MAX)
		return -E2BIG;
	host = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!host)
		return -EFAULT;
	iov = writable ? &c->in[c->nr_in++] : &c->out[c->nr_out++];
	*iov = (struct iovec){ .iov_base = host, .iov_len = d->len };
	if (writable)
		c->in_len += d->len;
	else
		c->out_len += d->len;
	return 0;
}

static int walk_table(const struct virtq *vq, struct walk *w, uint32_t head);

/* An indirect table stands for the rest of the chain (2.7.5.3): not nested, not chained. */
static int indirect_follow(const struct virtq *vq, struct walk *w, const struct vring_desc *d)
{
	struct walk inner = *w;
	int ret;

	if (!vq->indirect || w->nested || (d->flags & VIRTQ_DESC_F_NEXT))
		return -EINVAL;
	if (!d->len || d->len % DESC_SIZE)
		return -EINVAL;
	if (d->len / DESC_SIZE > VIRTQ_CHAIN_MAX)
		return -E2BIG;
	inner.table = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!inner.table)
		return -EFAULT;
	inner.nr = d->len / DESC_SIZE;
	inner.nested = true;
	ret = walk_table(vq, &inner, 0);
	if (ret)
		return ret;
	w->total = inner.total;
	return 0;
}

/*
 * Follows next from head. A chain visits each entry at most once, so more
 * hops than the table has entries is a loop (2.7.5.2: the driver must not).
 */
static int walk_table(const struct virtq *vq, struct walk *w, uint32_t head)
{
	struct vring_desc d = { .flags = VIRTQ_DESC_F_NEXT, .next = head };
	uint32_t hops;
	int ret;

	for (hops = 0; d.flags & VIRTQ_DESC_F_NEXT; hops++) {
		if (d.next >= w->nr)
			return -EINVAL;
		if (hops == w->nr)
			return -ELOOP;
		desc_read(w, d.next, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return indirect_follow(vq, w, &d);
		ret = segment_add(vq, w, &d);
		if (ret)
			return ret;
	}
	return 0;
}

int virtq_pop(struct virtq *vq, struct virtq_chain *chain)
{
	struct walk w = { .table = vq->desc, .nr = vq->size, .chain = chain };
	uint16_t avail, pending, head;
	int ret;

	if (!vq->avail)
		return 0;
	/*
	 * Acquire: pairs with the driver's write barrier between filling the
	 * ring entry (and its descriptors) and publishing idx (2.7.13), so what
	 * we read below is at least as new as the idx we saw.
	 */
	avail = le16toh(__atomic_load_n(avail_idx(vq), __ATOMIC_ACQUIRE));
	pending = avail - vq->last_avail;
	if (!pending)
		return 0;
	if (pending > vq->size)
		return -EPROTO;
	head = guest_load16(avail_ring(vq, vq->last_avail % vq->size));
	*chain = (struct virtq_chain){ .head = head };
	ret = walk_table(vq, &w, head);
	if (ret)
		return ret;
	vq->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *vq, uint16_t n)
{
	vq->last_avail -= n;
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint32_t *elem = used_elem(vq, vq->used_idx % vq->size);

	__atomic_store_n(&elem[0], htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&elem[1], htole32(len), __ATOMIC_RELAXED);
	vq->used_idx++;
	/*
	 * Release: the element (and the data written into the buffers) must be
	 * visible before the driver, on another CPU, can see idx move past it.
	 */
	__atomic_store_n(used_idx(vq), htole16(vq->used_idx), __ATOMIC_RELEASE);
}

/* Whether event lies in [old, new): the driver asked for an interrupt there (2.7.10). */
static bool need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used;
	bool valid = vq->signalled_valid;

	/*
	 * Full barrier: our used idx store must be visible before we read the
	 * driver's used_event / flags. Otherwise the driver could set them, read
	 * our stale idx, sleep, and we would read its stale request: no interrupt
	 * ever (store then load on both sides needs a full fence, 2.7.10).
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(guest_load16(avail_flags(vq)) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	/* The window is what was pushed since the last check, so it never wraps. */
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	return !valid || need_event(guest_load16(used_event(vq)), vq->used_idx, old);
}

/*
 * Full barrier: the request to be kicked (a store) must be visible before we
 * re-read avail idx (a load); else the driver could add a buffer, read our
 * old request and not kick, while we read its old idx and sleep.
 */
static bool more_available(const struct virtq *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return le16toh(__atomic_load_n(avail_idx(vq), __ATOMIC_ACQUIRE)) != vq->last_avail;
}

bool virtq_enable_notify(struct virtq *vq)
{
	if (vq->event_idx)
		guest_store16(avail_event(vq), vq->last_avail);
	else
		guest_store16(used_flags(vq),
			      guest_load16(used_flags(vq)) & ~VIRTQ_USED_F_NO_NOTIFY);
	return more_available(vq);
}

/* With EVENT_IDX the driver kicks only when it passes avail_event, which we stop moving. */
void virtq_disable_notify(struct virtq *vq)
{
	if (!vq->event_idx)
		guest_store16(used_flags(vq),
			      guest_load16(used_flags(vq)) | VIRTQ_USED_F_NO_NOTIFY);
}

/* The segment holding byte offset, and where in it: false when the chain is shorter. */
static bool iov_seek(const struct iovec *iov, unsigned int nr, size_t offset, unsigned int *i,
		     size_t *at)
{
	for (*i = 0; *i < nr && offset >= iov[*i].iov_len; (*i)++)
		offset -= iov[*i].iov_len;
	*at = offset;
	return *i < nr;
}

static size_t iov_copy(const struct iovec *iov, unsigned int nr, size_t offset, void *buf,
		       size_t len, bool to_iov)
{
	size_t done = 0, at, n;
	unsigned int i;

	if (!iov_seek(iov, nr, offset, &i, &at))
		return 0;
	for (; i < nr && done < len; i++, at = 0) {
		n = iov[i].iov_len - at;
		if (n > len - done)
			n = len - done;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + at, (uint8_t *)buf + done, n);
		else
			memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + at, n);
		done += n;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned int nr, size_t offset, void *buf, size_t len)
{
	return iov_copy(iov, nr, offset, buf, len, false);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int nr, size_t offset, const void *buf,
		    size_t len)
{
	return iov_copy(iov, nr, offset, (void *)buf, len, true);
}
