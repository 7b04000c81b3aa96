/*
 * queue.c: the approvals queue of the console.  The rows live in the shared
 * SQLite database (approval.c); this module keeps the console's copy of the
 * pending ones, decides for each whether this operator may approve it
 * (policy_may_approve: four-eyes and approver roles), and re-reads the list
 * only when PRAGMA data_version says another process wrote.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "approval.h"
#include "audit.h"
#include "cfg.h"
#include "console.h"
#include "ident.h"
#include "policy.h"
#include "queue.h"

void
queue_init(struct queue *q)
{
	memset(q, 0, sizeof *q);
	q->filter = xstrdup("");
}

/* Free the items (not the filter). */
static void
queue_free_items(struct queue *q)
{
	size_t	i;

	for (i = 0; i < q->n; i++) {
		approval_free(q->items[i].a);
		free(q->items[i].why);
	}
	free(q->items);
	q->items = NULL;
	q->n = 0;
}

void
queue_clear(struct queue *q)
{
	queue_free_items(q);
	free(q->filter);
	q->filter = NULL;
}

/* Split "a,b,c" into an array of owned strings. */
static char **
queue_split_roles(const char *s, size_t *n)
{
	char	**v = NULL, *copy, *tok, *save = NULL;

	*n = 0;
	if (s == NULL)
		return (NULL);
	copy = xstrdup(s);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(tok);
	}
	free(copy);
	return (v);
}

int
queue_refresh(struct console *c, bool force, char **cause)
{
	struct queue		 *q = &c->queue;
	struct approval		**list = NULL;
	struct queue_item	 *items;
	uint64_t		  stamp;
	char			**roles;
	size_t			  n = 0, nroles, i, j;
	int64_t			  selected_id = -1, newest = q->newest;
	int			  expired = 0, bell = 0;

	if (approval_stamp(c->audit, &stamp, cause) != 0)
		return (-1);
	if (!force && q->read && stamp == q->stamp)
		return (0);
	/* Anything past its time is denied by expiry, for every console. */
	if (approval_expire(c->audit, now_ms(), &expired, cause) != 0)
		return (-1);
	if (approval_list(c->audit, APPROVAL_PENDING, 0, 0, &list, &n,
	    cause) != 0)
		return (-1);
	if (approval_stamp(c->audit, &stamp, cause) != 0) {
		approval_list_free(list, n);
		return (-1);
	}
	if (q->selected < q->n)
		selected_id = q->items[q->selected].a->id;
	items = xcalloc(n + 1, sizeof *items);
	c->queue.decidable = 0;
	for (i = 0; i < n; i++) {
		items[i].a = list[i];
		roles = queue_split_roles(list[i]->approver_roles, &nroles);
		items[i].may = policy_may_approve(c->cfg, c->me,
		    list[i]->requester, roles, nroles, &items[i].why);
		strv_free(roles, nroles);
		if (items[i].may)
			c->queue.decidable++;
		for (j = 0; j < q->n; j++) {
			if (q->items[j].a->id == list[i]->id)
				items[i].marked = q->items[j].marked;
		}
		if (items[i].may && list[i]->id > q->newest && q->read)
			bell = 1;
		if (list[i]->id > newest)
			newest = list[i]->id;
	}
	free(list);	/* the approvals now belong to items */
	queue_free_items(q);
	q->items = items;
	q->n = n;
	q->newest = newest;
	q->stamp = stamp;
	q->read = true;
	q->selected = 0;
	for (i = 0; i < n; i++) {
		if (items[i].a->id == selected_id)
			q->selected = i;
	}
	return (bell);
}

/* Does an item pass the filter (every word in requester, server, command, env)? */
static bool
queue_match(const struct queue *q, const struct queue_item *it)
{
	char	*copy, *w, *save = NULL;
	bool	 ok = true;

	if (q->filter == NULL || *q->filter == '\0')
		return (true);
	copy = xstrdup(q->filter);
	for (w = strtok_r(copy, " ", &save); w != NULL && ok;
	    w = strtok_r(NULL, " ", &save)) {
		ok = (it->a->requester != NULL && strcasestr(it->a->requester, w)) ||
		    (it->a->server != NULL && strcasestr(it->a->server, w)) ||
		    (it->a->command != NULL && strcasestr(it->a->command, w)) ||
		    (it->a->env != NULL && strcasestr(it->a->env, w)) ||
		    (it->a->risk != NULL && strcasestr(it->a->risk, w));
	}
	free(copy);
	return (ok);
}

size_t
queue_visible(struct queue *q)
{
	size_t	i, n = 0;

	for (i = 0; i < q->n; i++)
		n += queue_match(q, &q->items[i]);
	return (n);
}

struct queue_item *
queue_item(struct queue *q, size_t want)
{
	size_t	i, n = 0;

	for (i = 0; i < q->n; i++) {
		if (!queue_match(q, &q->items[i]))
			continue;
		if (n++ == want)
			return (&q->items[i]);
	}
	return (NULL);
}

void
queue_move(struct queue *q, long delta)
{
	long	n = (long)queue_visible(q), s = (long)q->selected + delta;

	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	q->selected = (size_t)s;
}

int
queue_decide(struct console *c, struct queue_item *it, bool approve,
    const char *reason, char **cause)
{
	if (!it->may) {
		*cause = xprintf("#%lld: %s", (long long)it->a->id,
		    it->why != NULL ? it->why : "you may not decide this request");
		return (-1);
	}
	return (approval_decide(c->audit, it->a->id, approve, c->me->login,
	    reason, cause));
}
