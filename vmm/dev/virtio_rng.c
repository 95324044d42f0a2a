// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng (5.4): the driver offers writable buffers on its one queue and
 * the device fills them with the host's randomness. No configuration space,
 * no feature bits of its own, no state beyond the transport's.
 */
#include "dev/virtio_rng.h"

#include <errno.h>
#include <sys/random.h>

#include "virtio/virtio.h"

struct virtio_rng {
	struct virtio_dev vd; /* first: the machine sees its struct device */
	struct virtq_chain chain; /* the worker's, too large for its stack */
};

/*
 * getrandom() without GRND_NONBLOCK: the host's pool is initialised long
 * before a guest runs, so this never waits. Were it not (a host at early
 * boot), the worker would wait with it, and only this device's queue with
 * the worker: the vCPUs go on, and a pause waits for the fill to finish.
 */
static size_t rng_fill(const struct iovec *iov, unsigned int nr)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len) {
			ssize_t n = getrandom((char *)iov[i].iov_base + off, iov[i].iov_len - off, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return done + off;
			off += n;
		}
		done += off;
	}
	return done;
}

static void rng_queue_event(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_rng *rng = (struct virtio_rng *)vd;
	struct virtq *vq = &vd->vqs[q];
	bool pushed = false;
	int ret;

	do {
		while ((ret = virtq_pop(vq, &rng->chain)) > 0) {
			virtq_push(vq, rng->chain.head,
				   rng_fill(rng->chain.in, rng->chain.nr_in));
			pushed = true;
		}
		if (ret < 0) {
			virtio_dev_broken(vd, "queue %u: a bad chain (%d)", q, ret);
			return;
		}
	} while (virtq_enable_notify(vq));
	if (pushed)
		virtio_notify(vd, q);
}

static const struct virtio_dev_ops rng_vops = {
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.queue_event = rng_queue_event,
};

static int rng_init(struct device *dev, const struct device_desc *desc)
{
	(void)desc;
	return virtio_dev_init((struct virtio_dev *)dev, &rng_vops);
}

static const struct device_ops rng_ops = VIRTIO_DEVICE_OPS("virtio-rng");

const struct device_model virtio_rng_model = {
	.ops = &rng_ops,
	.size = sizeof(struct virtio_rng),
	.init = rng_init,
};
