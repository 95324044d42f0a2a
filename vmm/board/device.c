// SPDX-License-Identifier: GPL-2.0
/* A device description's settings, looked up and checked against what its model takes. */
#include "board/device.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"

const char *device_param(const struct device_desc *desc, const char *key)
{
	unsigned int i;

	for (i = 0; i < desc->nr_params; i++)
		if (!strcmp(desc->params[i].key, key))
			return desc->params[i].value;
	return NULL;
}

static bool device_model_takes(const struct device_model *model, const char *key)
{
	const char *const *k;

	for (k = model->params; k && *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

int device_params_check(const struct device_model *model, const struct device_desc *desc)
{
	unsigned int i;

	for (i = 0; i < desc->nr_params; i++) {
		if (!device_model_takes(model, desc->params[i].key)) {
			vmm_err("device %s: unknown setting '%s'; remove it (vmm/README.md lists "
				"each model's)",
				model->ops->name, desc->params[i].key);
			return -EINVAL;
		}
	}
	return 0;
}
