/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CONTROL_H
#define VMM_CONTROL_H

struct vm;
struct api_request;

/* Carries out one request and answers it on vm->api. */
void control_request(struct vm *vm, const struct api_request *req);

#endif
