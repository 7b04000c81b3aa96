/*
 * queue.h: the approvals queue as the console shows it — every pending
 * request of every console sharing the database, whether this operator may
 * decide each one (and why not), marks for batch approval, a filter.  The
 * console refreshes it cheaply: the list is re-read only when the database
 * changed (approval_stamp).
 */
#ifndef QUEUE_H
#define QUEUE_H

#include "omv.h"

struct console;
struct approval;

struct queue_item {
	struct approval	*a;		/* owned */
	bool		 may;		/* this operator may decide it */
	char		*why;		/* owned: why not, when !may */
	bool		 marked;
};

struct queue {
	struct queue_item	*items;		/* owned; pending, oldest first */
	size_t			 n;
	size_t			 selected;
	char			*filter;	/* owned; "" none */
	bool			 details;	/* show the selected request whole */
	uint64_t		 stamp;		/* database version last read */
	bool			 read;		/* stamp is valid */
	int64_t			 newest;	/* highest id seen, for the bell */
	int			 decidable;	/* pending requests this operator may decide */
};

void queue_init(struct queue *);
void queue_clear(struct queue *);
/*
 * Re-read the queue if the database changed (or force).  Returns 1 when a
 * request this operator may decide arrived since the last read, else 0;
 * -1 with a cause when the database could not be read.
 */
int queue_refresh(struct console *, bool force, char **cause);
/* Visible items after the filter: index i of the filtered view, or NULL. */
struct queue_item *queue_item(struct queue *, size_t i);
size_t queue_visible(struct queue *);
void queue_move(struct queue *, long delta);
/* Decide one request (as this operator); -1 with a cause. */
int queue_decide(struct console *, struct queue_item *, bool approve,
    const char *reason, char **cause);

#endif
