/*
 * sidebar.h: the server tree as the sidebar shows it — groups that collapse
 * and expand, servers the operator may reach, an incremental filter — as a
 * flat list of rows.  Pure model: no curses (ui-sidebar.c draws it).
 */
#ifndef SIDEBAR_H
#define SIDEBAR_H

#include "cfg.h"

enum sidebar_kind {
	SIDEBAR_GROUP,
	SIDEBAR_SERVER
};

struct sidebar_row {
	enum sidebar_kind		 kind;
	int				 depth;
	const struct server_group	*group;		/* borrowed; SIDEBAR_GROUP */
	const struct server		*server;	/* borrowed; SIDEBAR_SERVER */
	size_t				 count;		/* servers below a group (after filter) */
};

/* Decides whether the operator may see a server (policy). */
typedef bool (*sidebar_visible_cb)(const struct server *, void *);

struct sidebar;

struct sidebar *sidebar_create(const struct omv_config *, sidebar_visible_cb,
    void *);
void sidebar_free(struct sidebar *);

size_t sidebar_rows(const struct sidebar *);
const struct sidebar_row *sidebar_row(const struct sidebar *, size_t);
size_t sidebar_selected(const struct sidebar *);
/* Move the selection by delta rows (clamped). */
void sidebar_move(struct sidebar *, long delta);
void sidebar_select(struct sidebar *, size_t);
/* Select the row of a server by name; -1 if it is not shown. */
int sidebar_select_server(struct sidebar *, const char *name);
/* Toggle (or set: 0 expand, 1 collapse) the selected group. */
void sidebar_toggle(struct sidebar *);
void sidebar_set_collapsed(struct sidebar *, bool);
/* Filter by words: every word must match the name, a tag or the env. */
void sidebar_set_filter(struct sidebar *, const char *);
const char *sidebar_filter(const struct sidebar *);
/* Keep the selection inside a window of height rows; returns the first row. */
size_t sidebar_scroll(struct sidebar *, size_t height);
/* Number of servers the operator may see. */
size_t sidebar_visible_servers(const struct sidebar *);

#endif
