/*
 * cmd-live.h: the live table of a fan-out run on the terminal (`omv exec
 * --live`, `omv runbook run --live`), drawn with plain xterm escapes on the
 * alternate screen: one line per server, updated as the run goes, then a
 * browse mode where Enter shows a server's kept output (cmd-live.c).
 */
#ifndef CMD_LIVE_H
#define CMD_LIVE_H

#include "omv.h"

struct cmd_live;
struct fanout;

/* Called when the wake fd is readable while browsing; true: quit. */
typedef bool (*cmd_live_wake_cb)(struct cmd_live *, void *);

/*
 * Take over the terminal: stdout must be one; keys come from /dev/tty.
 * The fan-out, run id and title are borrowed.  steps: show a STEP column.
 * NULL and a message in *cause when the terminal cannot be had.
 */
struct cmd_live	*cmd_live_create(struct fanout *, const char *run_id,
		     const char *title, bool steps, size_t nrefused,
		     char **cause);
/* Give the terminal back as it was (also done at exit). */
void		 cmd_live_free(struct cmd_live *);

/* What target t is doing now (a runbook step); copied. */
void		 cmd_live_set_step(struct cmd_live *, size_t t, const char *);
/* A message for the line under the header; copied. */
void		 cmd_live_note(struct cmd_live *, const char *);
/* The terminal changed size (SIGWINCH). */
void		 cmd_live_resized(struct cmd_live *);
/* While the run goes: take typed keys, redraw what changed (<= 20/s). */
void		 cmd_live_tick(struct cmd_live *);
/*
 * The run ended: final states (status_text[t] overrides a state when not
 * NULL; may be NULL), then browse until q.  wake_fd (-1: none) readable
 * calls wake, which returns true to quit.
 */
void		 cmd_live_browse(struct cmd_live *,
		     const char *const *status_text, int wake_fd,
		     cmd_live_wake_cb wake, void *arg);

#endif
