/*
 * cfg-risk.h: reading risk rules from libconfig (the cfg family only: this
 * header includes libconfig.h).  Used by cfg.c for the `risk` section of the
 * config and by risk_default_rules() for the embedded conf/risk.conf.
 */
#ifndef CFG_RISK_H
#define CFG_RISK_H

#include <libconfig.h>

#include "cfg.h"

/*
 * Build cfg->rules and cfg->escalate from the `risk` section (NULL when the
 * config has none: the built-in defaults, production escalated one step).
 * Rules with a default's name replace it; `replace = true` drops the
 * defaults.  Problems go to errs as "file:line: ..."; returns 0 or -1.
 */
int cfg_risk_load(const config_setting_t *risk, const char *file,
    struct omv_config *cfg, struct cfg_errors *errs);

#endif
