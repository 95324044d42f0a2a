/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PROBE_SMCCC_H
#define PROBE_SMCCC_H

#include "types.h"

/* SMCCC (Arm DEN0028) results: x0..x3 on return. */
struct smccc_result {
	u64 a0;
	u64 a1;
	u64 a2;
	u64 a3;
};

void smccc_hvc(u64 function_id, u64 arg1, struct smccc_result *result);
void smccc_smc(u64 function_id, u64 arg1, struct smccc_result *result);

#endif
