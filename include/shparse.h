/*
 * shparse.h: a parser for bash-like command lines that never executes
 * anything.  It yields every simple command that would run, unwrapped
 * (sudo, env, timeout, xargs, bash -c, eval, ssh ... are seen through),
 * with its words unquoted and its flags normalised.  Pure: no I/O.
 */
#ifndef SHPARSE_H
#define SHPARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Limits that keep any input bounded in time and memory. */
#define SH_MAX_INPUT	65536	/* bytes of one line looked at; the rest is truncated */
#define SH_MAX_DEPTH	8	/* nested substitutions and bash -c / eval strings */
#define SH_MAX_CMDS	256	/* simple commands yielded */
#define SH_MAX_WORDS	1024	/* words of one simple command */

enum sh_redir_op {
	SH_R_OUT,		/* > and >| */
	SH_R_APPEND,		/* >> */
	SH_R_IN,		/* < */
	SH_R_INOUT,		/* <> */
	SH_R_DUP,		/* >&N, <&N, >&- */
	SH_R_HEREDOC,		/* << and <<- (target is the delimiter) */
	SH_R_HERESTRING		/* <<< */
};

struct sh_redir {
	enum sh_redir_op	 op;
	int			 fd;	/* redirected descriptor; -1 for &> (stdout and stderr) */
	const char		*target;
};

/*
 * One simple command.  Every pointer is borrowed from the struct sh_parse
 * that holds it and lives until shparse_free().
 */
struct sh_cmd {
	const char	 *program;	/* normalised: basename, unquoted, unwrapped;
					   "" for a bare redirection (> file) */
	const char	**argv;		/* unquoted words, argv[0] as written; NULL-terminated */
	size_t		  argc;
	const char	**flags;	/* normalised: "-rf" is "recursive" "force" for rm,
					   "-n 5" is "n=5" where the option takes a value */
	size_t		  nflags;
	const char	**operands;	/* the words that are not options or option values */
	size_t		  noperands;
	struct sh_redir	 *redirs;
	size_t		  nredirs;
	const char	**writes;	/* files written: output redirections, tee files,
					   dd of=, the target of cp/mv/install */
	size_t		  nwrites;
	const char	 *input;	/* text on standard input when known: a here-string,
					   here-document or echo piped in; or NULL */
	const char	 *feeds_to;	/* program that reads this command's output (the
					   next in a pipeline, or the command a $(...) sits
					   in); NULL when none */
	int		  feeds;	/* index of that command in cmds, or -1 */
	int		  depth;	/* 0 at top level; +1 per substitution or reparsed string */
	int		  features;
#define SH_F_BACKGROUND	0x001	/* run with & */
#define SH_F_ELEVATED	0x002	/* through sudo, su, doas, pkexec, runuser */
#define SH_F_REMOTE	0x004	/* the remote command of ssh or kubectl/docker exec */
#define SH_F_DYNAMIC	0x008	/* the program name is computed when the line runs */
#define SH_F_MOREARGS	0x010	/* xargs or find -exec add arguments not seen here */
#define SH_F_FORKBOMB	0x020	/* a function that calls itself in a pipe or background */
#define SH_F_SUBST	0x040	/* inside $(...), `...` or <(...) */
#define SH_F_STDINCODE	0x080	/* a shell reading its commands from standard input */
#define SH_F_FUNCTION	0x100	/* in the body of a function definition */
#define SH_F_TOSHELL	0x200	/* its output is run as commands (| sh, eval "$(...)") */
#define SH_F_GLOBPROG	0x400	/* the program name holds unquoted glob characters */
#define SH_F_COUNT	11
	const char	 *text;		/* "program arg arg >target" for people */
};

struct sh_chunk;

struct sh_parse {
	struct sh_cmd	*cmds;		/* in the order they were found */
	size_t		 ncmds;
	int		 status;
#define SH_UNPARSED	0x1	/* unbalanced quotes, brackets, here-document or operators */
#define SH_TRUNCATED	0x2	/* a size limit was reached; later text was not looked at */
#define SH_TOODEEP	0x4	/* nesting beyond SH_MAX_DEPTH was not looked into */
	const char	*why;		/* static: the first problem ("unbalanced quote"),
					   or NULL when status is 0 */
	struct sh_chunk	*chunks;	/* owned: the arena all of the above lives in */
};

/* Parse len bytes of line.  Never fails: any input yields a result. */
struct sh_parse *shparse(const char *line, size_t len);
void shparse_free(struct sh_parse *);

/* The name of one SH_F_* bit ("fork-bomb"), or NULL; and back (0 if unknown). */
const char *shparse_feature_name(int);
int shparse_feature_parse(const char *);

/*
 * Make an absolute path lexically plain: "//", "/./", "x/.." and a trailing
 * "/" go ("/usr/../" is "/").  Other paths are copied.  Returns the length.
 */
size_t shparse_normpath(const char *path, char *out, size_t outlen);

#endif
