/*
 * runbook.c: the pure part of runbooks: amounts, the batch plan and the
 * state machine of one server going through the steps.
 *
 * A server runs the steps in order.  A step with a check runs the check
 * first; when it exits 0 the server is already in the step's desired state
 * and the step is skipped (so a runbook can be run again safely).  A run
 * that fails stops the steps, and the rollbacks of the steps this server
 * completed run in reverse order (the failing step itself is not "done", so
 * its rollback does not run).  A rollback that fails is counted; the others
 * still run.  Invariant: done[i] is true only for steps whose run succeeded
 * on this server, so rollbacks never undo what was skipped or never ran.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbook.h"

/* Free a runbook and everything it owns. */
void
runbook_free(struct runbook *rb)
{
	size_t	i;

	if (rb == NULL)
		return;
	free(rb->name);
	free(rb->description);
	strv_free(rb->targets, rb->ntargets);
	free(rb->batches);
	for (i = 0; i < rb->nsteps; i++) {
		free(rb->steps[i].name);
		free(rb->steps[i].run);
		free(rb->steps[i].check);
		free(rb->steps[i].rollback);
	}
	free(rb->steps);
	free(rb->file);
	free(rb);
}

/* Parse "5" or "25%". */
int
runbook_amount_parse(const char *s, struct runbook_amount *out, char **cause)
{
	const char	*p = s;
	long		 v = 0;
	int		 digits = 0;

	while (isspace((unsigned char)*p))
		p++;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		if (v > 1000000)
			break;
		digits++;
		p++;
	}
	out->percent = false;
	if (*p == '%') {
		out->percent = true;
		p++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (digits == 0 || *p != '\0' || v > 1000000) {
		xasprintf(cause, "'%s' is not a count or a percentage (5, 25%%)",
		    s);
		return (-1);
	}
	if (out->percent && v > 100) {
		xasprintf(cause, "'%s' is more than 100%%", s);
		return (-1);
	}
	out->value = (int)v;
	return (0);
}

/* "5" or "25%". */
void
runbook_amount_format(const struct runbook_amount *a, char *buf, size_t len)
{
	snprintf(buf, len, "%d%s", a->value, a->percent ? "%" : "");
}

/* The amount of total, a percentage rounded up or down. */
size_t
runbook_amount_of(const struct runbook_amount *a, size_t total, bool round_up)
{
	unsigned long long	n;

	if (!a->percent)
		return ((size_t)a->value);
	n = (unsigned long long)total * (unsigned)a->value;
	if (round_up)
		n += 99;
	return ((size_t)(n / 100));
}

/* Cumulative batch ends for total targets. */
size_t
runbook_batch_plan(const struct runbook_amount *batches, size_t n,
    size_t total, size_t **ends)
{
	size_t	i, v, last = 0, count = 0;

	*ends = NULL;
	if (total == 0)
		return (0);
	*ends = xcalloc(n + 1, sizeof **ends);
	for (i = 0; i < n; i++) {
		v = runbook_amount_of(&batches[i], total, true);
		if (v > total)
			v = total;
		if (v <= last)
			continue;
		(*ends)[count++] = v;
		last = v;
	}
	if (last < total)
		(*ends)[count++] = total;
	return (count);
}

/* A server at the start of the runbook. */
void
runbook_target_init(struct runbook_target *t, const struct runbook *rb)
{
	memset(t, 0, sizeof *t);
	t->nsteps = rb->nsteps;
	t->done = xcalloc(rb->nsteps + 1, sizeof *t->done);
	t->phase = RUNBOOK_CHECK;
}

/* Free what a server's state owns. */
void
runbook_target_clear(struct runbook_target *t)
{
	free(t->done);
	t->done = NULL;
}

/* Record how the command in flight ended. */
static void
runbook_record(struct runbook_target *t, bool ok)
{
	switch (t->phase) {
	case RUNBOOK_CHECK:
		if (ok) {
			t->skipped++;
			t->step++;
			t->phase = RUNBOOK_CHECK;
		} else
			t->phase = RUNBOOK_RUN;
		break;
	case RUNBOOK_RUN:
		if (ok) {
			t->done[t->step] = true;
			t->ran++;
			t->step++;
			t->phase = RUNBOOK_CHECK;
			break;
		}
		t->failed = true;
		t->failed_step = t->step;
		t->rolling_back = true;
		t->rollback_next = t->step;
		break;
	case RUNBOOK_ROLLBACK:
		t->rollbacks++;
		if (!ok)
			t->rollback_errors++;
		break;
	case RUNBOOK_END:
		break;
	}
}

/* The timeout of a step: its own, else the runbook's. */
static int
runbook_timeout(const struct runbook *rb, size_t step)
{
	if (rb->steps[step].timeout != 0)
		return (rb->steps[step].timeout);
	return (rb->timeout);
}

/* Decide the next command of a server. */
void
runbook_next(const struct runbook *rb, struct runbook_target *t, bool first,
    bool prev_ok, struct runbook_action *act)
{
	const struct runbook_step	*st;
	size_t				 i;

	memset(act, 0, sizeof *act);
	if (!first)
		runbook_record(t, prev_ok);
	if (t->rolling_back) {
		for (i = t->rollback_next; i > 0; i--) {
			if (t->done[i - 1] && rb->steps[i - 1].rollback != NULL)
				break;
		}
		if (i == 0) {
			t->rollback_next = 0;
			t->phase = RUNBOOK_END;
			act->phase = RUNBOOK_END;
			act->ok = !t->failed;
			return;
		}
		t->rollback_next = i - 1;
		t->step = i - 1;
		t->phase = RUNBOOK_ROLLBACK;
		act->phase = RUNBOOK_ROLLBACK;
		act->step = t->step;
		act->command = rb->steps[t->step].rollback;
		act->timeout = runbook_timeout(rb, t->step);
		return;
	}
	if (t->step >= rb->nsteps) {
		t->phase = RUNBOOK_END;
		act->phase = RUNBOOK_END;
		act->ok = !t->failed;
		return;
	}
	st = &rb->steps[t->step];
	if (t->phase == RUNBOOK_CHECK && st->check == NULL)
		t->phase = RUNBOOK_RUN;
	act->phase = t->phase;
	act->step = t->step;
	act->command = t->phase == RUNBOOK_CHECK ? st->check : st->run;
	act->timeout = runbook_timeout(rb, t->step);
}

/* Start undoing a server that completed (rollback_completed). */
void
runbook_target_rollback(struct runbook_target *t)
{
	t->rolling_back = true;
	t->rollback_next = t->nsteps;
	t->phase = RUNBOOK_ROLLBACK;
}

/* A check or run that broke fails its step; a broken rollback counts. */
void
runbook_target_fail(struct runbook_target *t)
{
	if (t->phase == RUNBOOK_CHECK)
		t->phase = RUNBOOK_RUN;
	runbook_record(t, false);
}
