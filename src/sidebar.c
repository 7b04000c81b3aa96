/*
 * sidebar.c: the sidebar's model.  The config's group tree is flattened into
 * rows (a group, then its servers, then its subgroups), skipping servers the
 * operator may not see and the contents of collapsed groups.  A filter keeps
 * servers whose name, tags or env match every word, and shows the groups on
 * their path expanded.  Rebuilding is O(servers); with 10,000 servers that
 * is well under a millisecond, so it simply runs on every change.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sidebar.h"

struct sidebar {
	const struct omv_config		 *cfg;		/* borrowed */
	sidebar_visible_cb		  visible;
	void				 *arg;
	bool				 *allowed;	/* per server index */
	size_t				  nallowed;

	const struct server_group	**groups;	/* every group, tree order */
	bool				 *collapsed;	/* per groups[] entry */
	size_t				  ngroups;

	char				 *filter;	/* owned, "" = none */
	char				**words;	/* owned: filter split */
	size_t				  nwords;

	struct sidebar_row		 *rows;		/* owned */
	size_t				  nrows;
	size_t				  cap;
	size_t				  selected;
	size_t				  top;
};

/* Collect every group below g (g itself excluded) in tree order. */
static void
sidebar_collect(struct sidebar *sb, const struct server_group *g)
{
	size_t	i;

	for (i = 0; i < g->ngroups; i++) {
		sb->groups = xreallocarray(sb->groups, sb->ngroups + 1,
		    sizeof *sb->groups);
		sb->groups[sb->ngroups++] = g->groups[i];
		sidebar_collect(sb, g->groups[i]);
	}
}

static size_t
sidebar_group_index(const struct sidebar *sb, const struct server_group *g)
{
	size_t	i;

	for (i = 0; i < sb->ngroups; i++) {
		if (sb->groups[i] == g)
			return (i);
	}
	return (0);
}

/* Case-insensitive substring test. */
static bool
contains(const char *hay, const char *needle)
{
	return (hay != NULL && strcasestr(hay, needle) != NULL);
}

/* Does server s pass the filter? */
static bool
sidebar_match(const struct sidebar *sb, const struct server *s)
{
	size_t	i, j;
	bool	ok;

	for (i = 0; i < sb->nwords; i++) {
		ok = contains(s->name, sb->words[i]) ||
		    (s->env != ENV_NONE &&
		    strncasecmp(env_name(s->env), sb->words[i],
		    strlen(sb->words[i])) == 0);
		for (j = 0; !ok && j < s->ntags; j++)
			ok = contains(s->tags[j], sb->words[i]);
		if (!ok)
			return (false);
	}
	return (true);
}

static void
sidebar_push(struct sidebar *sb, enum sidebar_kind kind, int depth,
    const struct server_group *g, const struct server *s)
{
	struct sidebar_row	*r;

	if (sb->nrows == sb->cap) {
		sb->cap = sb->cap == 0 ? 64 : sb->cap * 2;
		sb->rows = xreallocarray(sb->rows, sb->cap, sizeof *sb->rows);
	}
	r = &sb->rows[sb->nrows++];
	r->kind = kind;
	r->depth = depth;
	r->group = g;
	r->server = s;
	r->count = 0;
}

/* Add g's rows; returns how many servers below g pass (shown or collapsed). */
static size_t
sidebar_add(struct sidebar *sb, const struct server_group *g, int depth,
    bool shown)
{
	size_t	i, here, count = 0;
	bool	open;

	here = sb->nrows;
	if (g->parent != NULL && shown)
		sidebar_push(sb, SIDEBAR_GROUP, depth, g, NULL);
	open = shown && (g->parent == NULL || sb->nwords != 0 ||
	    !sb->collapsed[sidebar_group_index(sb, g)]);
	for (i = 0; i < g->nservers; i++) {
		if (!sb->allowed[g->servers[i]->index] ||
		    !sidebar_match(sb, g->servers[i]))
			continue;
		count++;
		if (open)
			sidebar_push(sb, SIDEBAR_SERVER, depth + 1, NULL,
			    g->servers[i]);
	}
	for (i = 0; i < g->ngroups; i++)
		count += sidebar_add(sb, g->groups[i],
		    g->parent == NULL ? depth : depth + 1, open);
	if (g->parent != NULL && shown) {
		if (count == 0)
			sb->nrows = here;	/* nothing it may show: drop it */
		else
			sb->rows[here].count = count;
	}
	return (count);
}

static void
sidebar_rebuild(struct sidebar *sb)
{
	const struct server	*sel = NULL;
	const struct server_group *selg = NULL;
	size_t			 i;

	if (sb->selected < sb->nrows) {
		sel = sb->rows[sb->selected].server;
		selg = sb->rows[sb->selected].group;
	}
	sb->nrows = 0;
	if (sb->cfg->root != NULL)
		sidebar_add(sb, sb->cfg->root, 0, true);
	for (i = 0; i < sb->nrows; i++) {
		if ((sel != NULL && sb->rows[i].server == sel) ||
		    (selg != NULL && sb->rows[i].group == selg)) {
			sb->selected = i;
			return;
		}
	}
	if (sb->selected >= sb->nrows)
		sb->selected = sb->nrows == 0 ? 0 : sb->nrows - 1;
}

struct sidebar *
sidebar_create(const struct omv_config *cfg, sidebar_visible_cb visible,
    void *arg)
{
	struct sidebar	*sb;
	size_t		 i;

	sb = xcalloc(1, sizeof *sb);
	sb->cfg = cfg;
	sb->visible = visible;
	sb->arg = arg;
	sb->nallowed = cfg->nservers;
	sb->allowed = xcalloc(cfg->nservers + 1, sizeof *sb->allowed);
	for (i = 0; i < cfg->nservers; i++)
		sb->allowed[i] = visible == NULL || visible(cfg->servers[i], arg);
	if (cfg->root != NULL)
		sidebar_collect(sb, cfg->root);
	sb->collapsed = xcalloc(sb->ngroups + 1, sizeof *sb->collapsed);
	sb->filter = xstrdup("");
	sidebar_rebuild(sb);
	return (sb);
}

void
sidebar_free(struct sidebar *sb)
{
	if (sb == NULL)
		return;
	free(sb->allowed);
	free(sb->groups);
	free(sb->collapsed);
	free(sb->filter);
	strv_free(sb->words, sb->nwords);
	free(sb->rows);
	free(sb);
}

size_t
sidebar_rows(const struct sidebar *sb)
{
	return (sb->nrows);
}

const struct sidebar_row *
sidebar_row(const struct sidebar *sb, size_t i)
{
	return (i < sb->nrows ? &sb->rows[i] : NULL);
}

size_t
sidebar_selected(const struct sidebar *sb)
{
	return (sb->selected);
}

void
sidebar_move(struct sidebar *sb, long delta)
{
	long	n;

	if (sb->nrows == 0)
		return;
	n = (long)sb->selected + delta;
	if (n < 0)
		n = 0;
	if (n >= (long)sb->nrows)
		n = (long)sb->nrows - 1;
	sb->selected = (size_t)n;
}

void
sidebar_select(struct sidebar *sb, size_t i)
{
	if (i < sb->nrows)
		sb->selected = i;
}

int
sidebar_select_server(struct sidebar *sb, const char *name)
{
	size_t	i;

	for (i = 0; i < sb->nrows; i++) {
		if (sb->rows[i].server != NULL &&
		    strcmp(sb->rows[i].server->name, name) == 0) {
			sb->selected = i;
			return (0);
		}
	}
	return (-1);
}

void
sidebar_toggle(struct sidebar *sb)
{
	const struct sidebar_row	*r;
	size_t				 gi;

	if ((r = sidebar_row(sb, sb->selected)) == NULL ||
	    r->kind != SIDEBAR_GROUP)
		return;
	gi = sidebar_group_index(sb, r->group);
	sb->collapsed[gi] = !sb->collapsed[gi];
	sidebar_rebuild(sb);
}

void
sidebar_set_collapsed(struct sidebar *sb, bool collapsed)
{
	const struct sidebar_row	*r;
	size_t				 gi;

	if ((r = sidebar_row(sb, sb->selected)) == NULL)
		return;
	if (r->kind == SIDEBAR_SERVER) {
		/* Collapse from a server: collapse its group and select it. */
		if (!collapsed)
			return;
		while (sb->selected > 0 &&
		    sb->rows[sb->selected].kind != SIDEBAR_GROUP)
			sb->selected--;
		if ((r = sidebar_row(sb, sb->selected)) == NULL ||
		    r->kind != SIDEBAR_GROUP)
			return;
	}
	gi = sidebar_group_index(sb, r->group);
	sb->collapsed[gi] = collapsed;
	sidebar_rebuild(sb);
}

void
sidebar_set_filter(struct sidebar *sb, const char *text)
{
	char	*copy, *w, *save = NULL;

	free(sb->filter);
	sb->filter = xstrdup(text);
	strv_free(sb->words, sb->nwords);
	sb->words = NULL;
	sb->nwords = 0;
	copy = xstrdup(text);
	for (w = strtok_r(copy, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		sb->words = xreallocarray(sb->words, sb->nwords + 1,
		    sizeof *sb->words);
		sb->words[sb->nwords++] = xstrdup(w);
	}
	free(copy);
	sidebar_rebuild(sb);
	/* Land on the first matching server when filtering. */
	if (sb->nwords != 0) {
		sb->selected = 0;
		while (sb->selected + 1 < sb->nrows &&
		    sb->rows[sb->selected].kind != SIDEBAR_SERVER)
			sb->selected++;
	}
}

const char *
sidebar_filter(const struct sidebar *sb)
{
	return (sb->filter);
}

size_t
sidebar_scroll(struct sidebar *sb, size_t height)
{
	if (height == 0)
		return (sb->top);
	if (sb->selected < sb->top)
		sb->top = sb->selected;
	else if (sb->selected >= sb->top + height)
		sb->top = sb->selected - height + 1;
	if (sb->top + height > sb->nrows)
		sb->top = sb->nrows > height ? sb->nrows - height : 0;
	return (sb->top);
}

size_t
sidebar_visible_servers(const struct sidebar *sb)
{
	size_t	i, n = 0;

	for (i = 0; i < sb->nallowed; i++)
		n += sb->allowed[i];
	return (n);
}
