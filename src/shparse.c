/*
 * shparse.c: a parser for bash-like command lines that never executes
 * anything.
 *
 * The line is read the way bash reads it (bash(1), "SHELL GRAMMAR",
 * "QUOTING", "EXPANSION", "REDIRECTION"): words and operators, quotes and
 * escapes removed, with every command substitution ($(...), `...`, <(...))
 * parsed as a nested list in the same pass.  Each simple command found is
 * then unwrapped: wrappers that run another command from their arguments
 * (sudo, env, timeout, xargs, find -exec ...) are looked through, and those
 * that run a string (bash -c, su -c, eval, ssh, watch) have the string
 * parsed again one level deeper.  Options are normalised per program from
 * small tables, so -rf, -r -f and --recursive --force read the same.
 *
 * Invariants: the parser is total and bounded.  Any byte string yields a
 * result; nesting is capped at SH_MAX_DEPTH, commands at SH_MAX_CMDS, words
 * at SH_MAX_WORDS, and the text parsed again at SH_REPARSE_MAX bytes, so
 * time and memory are linear in the input.  Whatever cannot be read sets
 * status and why; what was read is still returned.  Every string lives in
 * an arena freed with the result.  The only state kept between calls is a
 * hash of the constant program tables, built on first use.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "omv.h"
#include "shparse.h"

#define SH_REPARSE_MAX	(4 * SH_MAX_INPUT)	/* bytes parsed again, in all */
#define SH_MAX_NEST	64	/* quotes and ${ } inside each other */
#define SH_MAX_FRAMES	64	/* ( { case open at once */
#define SH_MAX_REDIRS	64	/* redirections of one command */
#define SH_MAX_HOPS	16	/* wrappers looked through for one command */
#define SH_CHUNK	8192

/* Internal feature bits; cleared before the result is returned. */
#define SH_FI_XARGS	0x10000	/* ran by xargs: input words are arguments */
#define SH_FI_DONE	0x20000	/* standard input already looked at */
#define SH_FI_PIPED	0x40000	/* reads the previous command's output */
#define SH_FI_MASK	0xffff

/* Word flags. */
#define W_QUOTED	0x01	/* some part was quoted or escaped */
#define W_EXPAND	0x02	/* holds a $ or ` expansion bash would perform */
#define W_GLOB		0x04	/* holds unquoted * ? [ */
#define W_ASSIGN	0x08	/* NAME=value */
#define W_SUBST		0x10	/* holds a command or process substitution */

/* One block of the arena. */
struct sh_chunk {
	struct sh_chunk	*next;
	size_t		 used;
	size_t		 size;
	max_align_t	 data[];
};

/* The whole parse: the public result plus bookkeeping. */
struct sh_ctx {
	struct sh_parse	 pub;
	size_t		 cap;		/* of pub.cmds */
	size_t		 reparsed;	/* bytes parsed again so far */
	bool		 stop;		/* a limit was hit: read no further */
};

/* A word as read: its value with quotes removed. */
struct sh_arg {
	const char	*v;		/* arena */
	int		 wf;		/* W_* */
};

/* A here-document waiting for its body (read after the next newline). */
struct sh_heredoc {
	const char	*delim;
	bool		 strip;		/* <<- */
	bool		 expand;	/* delimiter unquoted: body is expanded */
	int		 cmd;		/* command reading it, -1 until emitted */
	const char	*body;		/* NULL until read */
};

/* An open ( { or case, and the function whose body it is. */
struct sh_frame {
	int		 type;		/* '(' '{' or 'c' */
	bool		 pattern;	/* case: reading patterns, not commands */
	const char	*func;		/* function body of this name, or NULL */
};

/* One level of parsing: a line, a substitution or a string parsed again. */
struct sh_lex {
	struct sh_ctx		*ctx;
	const char		*s;
	size_t			 len;
	size_t			 pos;
	int			 depth;
	int			 inherit;	/* features every command here has */
	int			 nest;		/* quotes and braces open in sh_scan */
	struct sh_heredoc	 hd[8];
	size_t			 nhd;
	struct sbuf		 buf;		/* scratch for word values */
	int			 pipe_prev;	/* command feeding the next one, or -1 */
	int			 last;		/* last command emitted at this level */
	struct sh_frame		 frames[SH_MAX_FRAMES];
	int			 nframes;
};

/* The simple command being read. */
struct sh_build {
	struct sh_arg	*args;
	size_t		 nargs;
	size_t		 cap;
	struct sh_redir	 redirs[SH_MAX_REDIRS];
	int		 hdslot[SH_MAX_REDIRS];	/* heredoc slot per redir, or -1 */
	size_t		 nredirs;
	bool		 any;		/* anything at all, assignments too */
	bool		 closed;	/* after ) } fi done esac )) */
};

static const char *sh_feature_names[SH_F_COUNT] = {
	"background", "elevated", "remote", "dynamic", "more-args",
	"fork-bomb", "substitution", "stdin-code", "function", "to-shell",
	"glob-program"
};

static void sh_list(struct sh_lex *, int);
static int sh_command(struct sh_lex *, struct sh_arg *, size_t,
    struct sh_build *, int, int, const char **);

/* Allocate n bytes from the arena (zeroed, aligned). */
static void *
sh_alloc(struct sh_ctx *ctx, size_t n)
{
	struct sh_chunk	*c = ctx->pub.chunks;
	size_t		 a = sizeof (max_align_t), size;
	void		*p;

	n = (n + a - 1) / a * a;
	if (c == NULL || c->size - c->used < n) {
		size = n > SH_CHUNK ? n : SH_CHUNK;
		c = xmalloc(sizeof *c + size);
		c->used = 0;
		c->size = size;
		c->next = ctx->pub.chunks;
		ctx->pub.chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return (p);
}

/* Copy n bytes into the arena as a string. */
static char *
sh_strndup(struct sh_ctx *ctx, const char *s, size_t n)
{
	char	*p = sh_alloc(ctx, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

/* Copy a string into the arena. */
static char *
sh_strdup(struct sh_ctx *ctx, const char *s)
{
	return (sh_strndup(ctx, s, strlen(s)));
}

/* Record the first problem; later ones keep the first reason. */
static void
sh_problem(struct sh_ctx *ctx, int status, const char *why)
{
	if (ctx->pub.why == NULL)
		ctx->pub.why = why;
	ctx->pub.status |= status;
	if (status & (SH_TRUNCATED))
		ctx->stop = true;
}

/* Is c a character that ends an unquoted word? */
static int
sh_meta(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
	    c == '|' || c == '(' || c == ')' || c == '<' || c == '>');
}

/* Can c be part of a variable name? */
static int
sh_namechar(int c)
{
	return (isalnum((unsigned char)c) || c == '_');
}

/* The last path component: /usr/bin/rm is rm ("" stays ""). */
static const char *
sh_basename(const char *s)
{
	const char	*p = strrchr(s, '/');

	if (p == NULL)
		return (s);
	if (p[1] == '\0') {
		/* "dir/" keeps its name, "/" stays "/". */
		return (s);
	}
	return (p + 1);
}

/* Is s one of the space-separated words of list? */
static int
sh_inlist(const char *list, const char *s)
{
	size_t		 n = strlen(s);
	const char	*p = list, *e;

	if (n == 0)
		return (0);
	while (*p != '\0') {
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == n && memcmp(p, s, n) == 0)
			return (1);
		p = *e == ' ' ? e + 1 : e;
	}
	return (0);
}

/* The name of one SH_F_* bit, or NULL. */
const char *
shparse_feature_name(int f)
{
	int	i;

	for (i = 0; i < SH_F_COUNT; i++) {
		if (f == (1 << i))
			return (sh_feature_names[i]);
	}
	return (NULL);
}

/* The SH_F_* bit of a feature name, or 0. */
int
shparse_feature_parse(const char *s)
{
	int	i;

	for (i = 0; i < SH_F_COUNT; i++) {
		if (strcmp(s, sh_feature_names[i]) == 0)
			return (1 << i);
	}
	return (0);
}

/* Scan modes of sh_scan: what ends the text being read. */
#define SC_WORD		0	/* an unquoted metacharacter */
#define SC_DQ		1	/* the closing " */
#define SC_BRACE	2	/* the } closing ${ */
#define SC_PAREN	3	/* the ) closing an array or extglob */
#define SC_ARITH	4	/* the )) closing $(( or (( */
#define SC_BODY		5	/* the end of the text (a here-document) */

static void sh_scan(struct sh_lex *, int, struct sbuf *, int *);

/* Start a level of parsing over s. */
static void
sh_lex_init(struct sh_lex *lex, struct sh_ctx *ctx, const char *s, size_t len,
    int depth, int inherit)
{
	memset(lex, 0, sizeof *lex);
	lex->ctx = ctx;
	lex->s = s;
	lex->len = len;
	lex->depth = depth;
	lex->inherit = inherit;
	lex->pipe_prev = -1;
	lex->last = -1;
	sbuf_init(&lex->buf);
}

/* Append to out when there is one. */
static void
sh_out(struct sbuf *out, const char *s, size_t n)
{
	if (out != NULL && n != 0)
		sbuf_add(out, s, n);
}

/* Skip to the ) matching an opened (, minding quotes; no parsing. */
static void
sh_skip_paren(struct sh_lex *lex)
{
	const char	*s = lex->s;
	int		 depth = 1;
	char		 q;

	while (lex->pos < lex->len) {
		switch (s[lex->pos]) {
		case '\\':
			lex->pos++;
			break;
		case '\'':
		case '"':
			q = s[lex->pos++];
			while (lex->pos < lex->len && s[lex->pos] != q) {
				if (q == '"' && s[lex->pos] == '\\')
					lex->pos++;
				lex->pos++;
			}
			break;
		case '(':
			depth++;
			break;
		case ')':
			if (--depth == 0) {
				lex->pos++;
				return;
			}
			break;
		}
		if (lex->pos < lex->len)
			lex->pos++;
	}
	sh_problem(lex->ctx, SH_UNPARSED, "unbalanced parenthesis");
}

/* Parse text (owned by the arena) as a new list one level deeper. */
static void
sh_reparse(struct sh_lex *lex, const char *text, size_t n, int features)
{
	struct sh_ctx	*ctx = lex->ctx;
	struct sh_lex	 child;

	if (ctx->stop || n == 0)
		return;
	if (lex->depth + 1 > SH_MAX_DEPTH) {
		sh_problem(ctx, SH_TOODEEP, "nested too deep");
		return;
	}
	if (ctx->reparsed + n > SH_REPARSE_MAX) {
		sh_problem(ctx, SH_TRUNCATED, "too much nested text");
		return;
	}
	ctx->reparsed += n;
	sh_lex_init(&child, ctx, text, n, lex->depth + 1, features);
	sh_list(&child, 0);
	sbuf_free(&child.buf);
}

/* A $( ... ), <( ... ) or >( ... ) from lex->pos (after the "("). */
static void
sh_subst(struct sh_lex *lex)
{
	struct sh_lex	child;

	if (lex->depth + 1 > SH_MAX_DEPTH || lex->ctx->stop) {
		if (lex->depth + 1 > SH_MAX_DEPTH)
			sh_problem(lex->ctx, SH_TOODEEP, "nested too deep");
		sh_skip_paren(lex);
		return;
	}
	sh_lex_init(&child, lex->ctx, lex->s, lex->len, lex->depth + 1,
	    lex->inherit | SH_F_SUBST);
	child.pos = lex->pos;
	sh_list(&child, ')');
	lex->pos = child.pos;
	sbuf_free(&child.buf);
}

/* A `...` from lex->pos (after the `): unescape \` \\ \$, parse again. */
static void
sh_backtick(struct sh_lex *lex)
{
	const char	*s = lex->s;
	struct sbuf	 in;
	char		*text;
	size_t		 n;

	sbuf_init(&in);
	while (lex->pos < lex->len && s[lex->pos] != '`') {
		if (s[lex->pos] == '\\' && lex->pos + 1 < lex->len &&
		    strchr("`\\$\"", s[lex->pos + 1]) != NULL)
			lex->pos++;
		sbuf_addc(&in, s[lex->pos++]);
	}
	if (lex->pos >= lex->len)
		sh_problem(lex->ctx, SH_UNPARSED, "unbalanced backquote");
	else
		lex->pos++;
	n = in.len;
	text = sh_strndup(lex->ctx, in.buf != NULL ? in.buf : "", n);
	sbuf_free(&in);
	sh_reparse(lex, text, n, lex->inherit | SH_F_SUBST);
}

/* Encode code point u as UTF-8. */
static void
sh_utf8(struct sbuf *out, uint32_t u)
{
	char	b[4];

	if (u == 0 || u > 0x10ffff)
		return;
	if (u < 0x80) {
		b[0] = (char)u;
		sh_out(out, b, 1);
	} else if (u < 0x800) {
		b[0] = (char)(0xc0 | (u >> 6));
		b[1] = (char)(0x80 | (u & 0x3f));
		sh_out(out, b, 2);
	} else if (u < 0x10000) {
		b[0] = (char)(0xe0 | (u >> 12));
		b[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		b[2] = (char)(0x80 | (u & 0x3f));
		sh_out(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | (u >> 18));
		b[1] = (char)(0x80 | ((u >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((u >> 6) & 0x3f));
		b[3] = (char)(0x80 | (u & 0x3f));
		sh_out(out, b, 4);
	}
}

/* Read up to max digits of base (8 or 16) at lex->pos into *v. */
static int
sh_digits(struct sh_lex *lex, int base, int max, uint32_t *v)
{
	int	n = 0, c, d;

	*v = 0;
	while (n < max && lex->pos < lex->len) {
		c = (unsigned char)lex->s[lex->pos];
		if (base == 8 && c >= '0' && c <= '7')
			d = c - '0';
		else if (base == 16 && isxdigit(c))
			d = isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10);
		else
			break;
		*v = *v * (uint32_t)base + (uint32_t)d;
		lex->pos++;
		n++;
	}
	return (n);
}

/* An ANSI-C quoted $'...' from lex->pos (after the '), as bash decodes it. */
static void
sh_ansi(struct sh_lex *lex, struct sbuf *out)
{
	const char	*s = lex->s;
	uint32_t	 v;
	char		 c;

	while (lex->pos < lex->len && s[lex->pos] != '\'') {
		c = s[lex->pos++];
		if (c != '\\' || lex->pos >= lex->len) {
			sh_out(out, &c, 1);
			continue;
		}
		c = s[lex->pos++];
		switch (c) {
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'v': c = '\v'; break;
		case 'e': case 'E': c = 033; break;
		case 'c':
			if (lex->pos >= lex->len)
				continue;
			c = (char)(s[lex->pos++] & 0x1f);
			break;
		case 'x':
			if (sh_digits(lex, 16, 2, &v) == 0) {
				sh_out(out, "\\x", 2);
				continue;
			}
			c = (char)v;
			break;
		case 'u':
		case 'U':
			if (sh_digits(lex, 16, c == 'u' ? 4 : 8, &v) != 0)
				sh_utf8(out, v);
			continue;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7':
			lex->pos--;
			sh_digits(lex, 8, 3, &v);
			c = (char)v;
			break;
		case '\\': case '\'': case '"': case '?':
			break;
		default:
			sh_out(out, "\\", 1);
			break;
		}
		if (c != '\0')
			sh_out(out, &c, 1);
	}
	if (lex->pos >= lex->len)
		sh_problem(lex->ctx, SH_UNPARSED, "unbalanced quote");
	else
		lex->pos++;
}

/* After a $ at lex->pos: a parameter, substitution or a plain $. */
static void
sh_dollar(struct sh_lex *lex, int mode, struct sbuf *out, int *wf, bool flat)
{
	const char	*s = lex->s;
	size_t		 start = lex->pos;
	int		 c = lex->pos + 1 < lex->len ? s[lex->pos + 1] : 0;
	int		 inner = 0;

	if (c == '(' && lex->pos + 2 < lex->len && s[lex->pos + 2] == '(') {
		lex->pos += 3;
		if (flat)
			sh_skip_paren(lex);
		else
			sh_scan(lex, SC_ARITH, NULL, &inner);
		*wf |= W_EXPAND | (inner & W_SUBST);
	} else if (c == '(') {
		lex->pos += 2;
		sh_subst(lex);
		*wf |= W_EXPAND | W_SUBST;
	} else if (c == '{') {
		lex->pos += 2;
		if (flat) {
			while (lex->pos < lex->len && s[lex->pos] != '}')
				lex->pos++;
			if (lex->pos < lex->len)
				lex->pos++;
		} else
			sh_scan(lex, SC_BRACE, NULL, &inner);
		*wf |= W_EXPAND | (inner & W_SUBST);
	} else if (c != 0 && sh_namechar(c) && !isdigit(c)) {
		lex->pos++;
		while (lex->pos < lex->len && sh_namechar(s[lex->pos]))
			lex->pos++;
		*wf |= W_EXPAND;
	} else if (c != 0 && (isdigit(c) || strchr("@*#?$!-", c) != NULL)) {
		lex->pos += 2;
		*wf |= W_EXPAND;
	} else
		lex->pos++;
	(void)mode;
	sh_out(out, s + start, lex->pos - start);
}

/*
 * Read text in the given mode from lex->pos, appending its value to out
 * (quotes removed in words and "..."; raw text inside ${ } $(( )) and
 * arrays).  Substitutions found on the way are parsed as they come.
 */
static void
sh_scan(struct sh_lex *lex, int mode, struct sbuf *out, int *wf)
{
	const char	*s = lex->s, *e;
	size_t		 start;
	int		 depth = 0, c, n1, inner;
	bool		 flat;

	flat = ++lex->nest > SH_MAX_NEST;
	if (flat && lex->nest == SH_MAX_NEST + 1)
		sh_problem(lex->ctx, SH_TOODEEP, "nested too deep");
	while (lex->pos < lex->len && !lex->ctx->stop) {
		c = (unsigned char)s[lex->pos];
		n1 = lex->pos + 1 < lex->len ? (unsigned char)s[lex->pos + 1] : 0;
		switch (mode) {
		case SC_WORD:
			if (c == '(' && lex->pos > 0 && !flat &&
			    strchr("@!+*?=", s[lex->pos - 1]) != NULL &&
			    s[lex->pos - 1] != '\0') {
				/* extglob @(a|b) or an array a=(x y). */
				sh_out(out, "(", 1);
				lex->pos++;
				sh_scan(lex, SC_PAREN, out, wf);
				continue;
			}
			if (sh_meta(c))
				goto done;
			break;
		case SC_DQ:
			if (c == '"') {
				lex->pos++;
				goto done;
			}
			break;
		case SC_BRACE:
		case SC_PAREN:
			if (c == (mode == SC_BRACE ? '{' : '('))
				depth++;
			else if (c == (mode == SC_BRACE ? '}' : ')') &&
			    depth-- == 0) {
				sh_out(out, s + lex->pos, 1);
				lex->pos++;
				goto done;
			}
			break;
		case SC_ARITH:
			if (c == '(')
				depth++;
			else if (c == ')' && depth > 0)
				depth--;
			else if (c == ')' && n1 == ')') {
				sh_out(out, "))", 2);
				lex->pos += 2;
				goto done;
			}
			break;
		}

		if (c == '\\') {
			if (n1 == '\n') {
				lex->pos += 2;	/* a line continuation */
				continue;
			}
			if (lex->pos + 1 >= lex->len) {
				lex->pos++;
				continue;
			}
			if (mode == SC_WORD) {
				*wf |= W_QUOTED;
				sh_out(out, s + lex->pos + 1, 1);
			} else if ((mode == SC_DQ || mode == SC_BODY) &&
			    strchr(mode == SC_DQ ? "$`\"\\" : "$`\\", n1) != NULL)
				sh_out(out, s + lex->pos + 1, 1);
			else
				sh_out(out, s + lex->pos, 2);
			lex->pos += 2;
			continue;
		}
		if (c == '\'' && (mode == SC_WORD || mode == SC_BRACE ||
		    mode == SC_PAREN)) {
			start = ++lex->pos;
			e = memchr(s + start, '\'', lex->len - start);
			if (e == NULL) {
				sh_problem(lex->ctx, SH_UNPARSED,
				    "unbalanced quote");
				e = s + lex->len;
			}
			if (mode == SC_WORD)
				*wf |= W_QUOTED;
			else
				sh_out(out, "'", 1);
			sh_out(out, s + start, (size_t)(e - (s + start)));
			if (mode != SC_WORD && e < s + lex->len)
				sh_out(out, "'", 1);
			lex->pos = (size_t)(e - s) + (e < s + lex->len);
			continue;
		}
		if (c == '"' && mode != SC_DQ && mode != SC_BODY) {
			lex->pos++;
			if (mode == SC_WORD)
				*wf |= W_QUOTED;
			else
				sh_out(out, "\"", 1);
			if (flat) {
				while (lex->pos < lex->len &&
				    s[lex->pos] != '"')
					lex->pos++;
				lex->pos += lex->pos < lex->len;
			} else {
				inner = 0;
				sh_scan(lex, SC_DQ, out, &inner);
				*wf |= inner & (W_EXPAND | W_SUBST);
			}
			if (mode != SC_WORD)
				sh_out(out, "\"", 1);
			continue;
		}
		if (c == '$' && n1 == '\'' && mode == SC_WORD) {
			lex->pos += 2;
			*wf |= W_QUOTED;
			sh_ansi(lex, out);
			continue;
		}
		if (c == '$' && n1 == '"' && mode == SC_WORD) {
			lex->pos++;		/* $"..." is "..." */
			continue;
		}
		if (c == '$') {
			sh_dollar(lex, mode, out, wf, flat);
			continue;
		}
		if (c == '`') {
			start = lex->pos++;
			sh_backtick(lex);
			sh_out(out, s + start, lex->pos - start);
			*wf |= W_EXPAND | W_SUBST;
			continue;
		}
		if (mode == SC_WORD && (c == '*' || c == '?' || c == '['))
			*wf |= W_GLOB;
		sh_out(out, s + lex->pos, 1);
		lex->pos++;
	}
	if (lex->ctx->stop)
		;	/* a limit stopped the scan, not the text */
	else if (mode == SC_DQ)
		sh_problem(lex->ctx, SH_UNPARSED, "unbalanced quote");
	else if (mode == SC_BRACE)
		sh_problem(lex->ctx, SH_UNPARSED, "unbalanced brace");
	else if (mode == SC_PAREN || mode == SC_ARITH)
		sh_problem(lex->ctx, SH_UNPARSED, "unbalanced parenthesis");
done:
	lex->nest--;
}

/* Tokens. */
#define TK_EOF		0
#define TK_WORD		1
#define TK_NL		2
#define TK_SEMI		3
#define TK_AMP		4
#define TK_AND		5
#define TK_OR		6
#define TK_PIPE		7
#define TK_CASESEP	8	/* ;; ;& ;;& */
#define TK_LP		9
#define TK_RP		10
#define TK_REDIR	11
#define TK_ARITH	12	/* (( ... )) */

struct sh_tok {
	int			 type;
	struct sh_arg		 w;		/* TK_WORD */
	size_t			 start;		/* TK_WORD: where it began */
	enum sh_redir_op	 rop;		/* TK_REDIR */
	int			 fd;
	bool			 strip;		/* <<- */
};

/* Read the bodies of the here-documents opened on the line just ended. */
static void
sh_heredocs(struct sh_lex *lex)
{
	struct sh_ctx		*ctx = lex->ctx;
	struct sh_heredoc	*h;
	struct sh_lex		 tmp;
	struct sbuf		 body;
	const char		*s = lex->s, *line, *eol;
	size_t			 i, n, dn;
	int			 wf = 0;
	bool			 found;

	for (i = 0; i < lex->nhd; i++) {
		h = &lex->hd[i];
		if (h->body != NULL)
			continue;
		sbuf_init(&body);
		found = false;
		dn = strlen(h->delim);
		while (lex->pos < lex->len) {
			line = s + lex->pos;
			eol = memchr(line, '\n', lex->len - lex->pos);
			n = eol != NULL ? (size_t)(eol - line) :
			    lex->len - lex->pos;
			lex->pos += n + (eol != NULL);
			while (h->strip && n > 0 && *line == '\t') {
				line++;
				n--;
			}
			if (n == dn && memcmp(line, h->delim, n) == 0) {
				found = true;
				break;
			}
			sbuf_add(&body, line, n);
			sbuf_addc(&body, '\n');
		}
		if (!found)
			sh_problem(ctx, SH_UNPARSED, "unterminated here-document");
		h->body = sh_strndup(ctx, body.buf != NULL ? body.buf : "",
		    body.len);
		sbuf_free(&body);
		if (h->cmd >= 0 && (size_t)h->cmd < ctx->pub.ncmds &&
		    ctx->pub.cmds[h->cmd].input == NULL)
			ctx->pub.cmds[h->cmd].input = h->body;
		if (h->expand && strpbrk(h->body, "$`") != NULL) {
			/* Substitutions in an unquoted here-document run. */
			sh_lex_init(&tmp, ctx, h->body, strlen(h->body),
			    lex->depth, lex->inherit);
			sh_scan(&tmp, SC_BODY, NULL, &wf);
			sbuf_free(&tmp.buf);
		}
	}
	lex->nhd = 0;
}

/* Is the text at s a NAME= or NAME+= or NAME[...]= assignment? */
static int
sh_is_assign(const char *s, size_t len)
{
	size_t	i = 0;

	if (len == 0 || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
		return (0);
	while (i < len && sh_namechar(s[i]))
		i++;
	if (i < len && s[i] == '[') {
		while (i < len && s[i] != ']')
			i++;
		i++;
	}
	if (i < len && s[i] == '+')
		i++;
	return (i < len && s[i] == '=');
}

/* A redirection operator at lex->pos (after any fd digits). */
static void
sh_redir_op(struct sh_lex *lex, struct sh_tok *t, int fd)
{
	const char	*p = lex->s + lex->pos;
	size_t		 left = lex->len - lex->pos;

	t->type = TK_REDIR;
	t->strip = false;
	if (left >= 3 && memcmp(p, "<<<", 3) == 0) {
		t->rop = SH_R_HERESTRING;
		lex->pos += 3;
	} else if (left >= 3 && memcmp(p, "<<-", 3) == 0) {
		t->rop = SH_R_HEREDOC;
		t->strip = true;
		lex->pos += 3;
	} else if (left >= 2 && (memcmp(p, "<<", 2) == 0)) {
		t->rop = SH_R_HEREDOC;
		lex->pos += 2;
	} else if (left >= 2 && (memcmp(p, "<>", 2) == 0)) {
		t->rop = SH_R_INOUT;
		lex->pos += 2;
	} else if (left >= 2 && (memcmp(p, "<&", 2) == 0 ||
	    memcmp(p, ">&", 2) == 0)) {
		t->rop = SH_R_DUP;
		lex->pos += 2;
	} else if (left >= 2 && memcmp(p, ">>", 2) == 0) {
		t->rop = SH_R_APPEND;
		lex->pos += 2;
	} else if (left >= 2 && memcmp(p, ">|", 2) == 0) {
		t->rop = SH_R_OUT;
		lex->pos += 2;
	} else {
		t->rop = *p == '<' ? SH_R_IN : SH_R_OUT;
		lex->pos++;
	}
	if (fd != -2)
		t->fd = fd;
	else
		t->fd = *p == '<' ? 0 : 1;
}

/* The next token; cmdpos says a command may start here (for "(("). */
static void
sh_next(struct sh_lex *lex, struct sh_tok *t, bool cmdpos)
{
	const char	*s = lex->s;
	size_t		 p;
	int		 c, n1, fd;

	memset(t, 0, sizeof *t);
again:
	while (lex->pos < lex->len) {
		c = s[lex->pos];
		if (c == ' ' || c == '\t' || c == '\r')
			lex->pos++;
		else if (c == '\\' && lex->pos + 1 < lex->len &&
		    s[lex->pos + 1] == '\n')
			lex->pos += 2;
		else
			break;
	}
	if (lex->pos >= lex->len || lex->ctx->stop) {
		t->type = TK_EOF;
		return;
	}
	c = s[lex->pos];
	n1 = lex->pos + 1 < lex->len ? s[lex->pos + 1] : 0;
	switch (c) {
	case '#':
		while (lex->pos < lex->len && s[lex->pos] != '\n')
			lex->pos++;
		goto again;
	case '\n':
		lex->pos++;
		if (lex->nhd != 0)
			sh_heredocs(lex);
		t->type = TK_NL;
		return;
	case ';':
		if (n1 == ';' || n1 == '&') {
			lex->pos += 2;
			if (n1 == ';' && lex->pos < lex->len &&
			    s[lex->pos] == '&')
				lex->pos++;
			t->type = TK_CASESEP;
		} else {
			lex->pos++;
			t->type = TK_SEMI;
		}
		return;
	case '&':
		if (n1 == '&') {
			lex->pos += 2;
			t->type = TK_AND;
		} else if (n1 == '>') {
			lex->pos++;
			sh_redir_op(lex, t, -1);
		} else {
			lex->pos++;
			t->type = TK_AMP;
		}
		return;
	case '|':
		lex->pos += (n1 == '|' || n1 == '&') ? 2 : 1;
		t->type = n1 == '|' ? TK_OR : TK_PIPE;
		return;
	case '(':
		if (cmdpos && n1 == '(') {
			lex->pos += 2;
			sh_scan(lex, SC_ARITH, NULL, &t->w.wf);
			t->type = TK_ARITH;
		} else {
			lex->pos++;
			t->type = TK_LP;
		}
		return;
	case ')':
		lex->pos++;
		t->type = TK_RP;
		return;
	case '<':
	case '>':
		if (n1 != '(') {
			sh_redir_op(lex, t, -2);
			return;
		}
		break;
	}
	if (isdigit(c)) {
		for (p = lex->pos, fd = 0; p < lex->len && isdigit(
		    (unsigned char)s[p]) && fd < 100000; p++)
			fd = fd * 10 + (s[p] - '0');
		if (p < lex->len && (s[p] == '<' || s[p] == '>') &&
		    (p + 1 >= lex->len || s[p + 1] != '(')) {
			lex->pos = p;
			sh_redir_op(lex, t, fd);
			return;
		}
	}

	/* A word, perhaps starting with a process substitution. */
	t->type = TK_WORD;
	t->start = lex->pos;
	sbuf_reset(&lex->buf);
	if ((c == '<' || c == '>') && n1 == '(') {
		lex->pos += 2;
		sh_subst(lex);
		sbuf_add(&lex->buf, s + t->start, lex->pos - t->start);
		t->w.wf |= W_EXPAND | W_SUBST;
	}
	sh_scan(lex, SC_WORD, &lex->buf, &t->w.wf);
	if (sh_is_assign(s + t->start, lex->len - t->start))
		t->w.wf |= W_ASSIGN;
	t->w.v = sh_strndup(lex->ctx, lex->buf.buf != NULL ? lex->buf.buf : "",
	    lex->buf.len);
}

/* Empty the builder for the next simple command. */
static void
sh_build_reset(struct sh_build *b)
{
	b->nargs = 0;
	b->nredirs = 0;
	b->any = false;
	b->closed = false;
}

/* Open a ( { or case; func names the function whose body it is. */
static void
sh_push(struct sh_lex *lex, int type, const char *func)
{
	struct sh_frame	*f;

	if (lex->nframes >= SH_MAX_FRAMES) {
		sh_problem(lex->ctx, SH_TRUNCATED, "too deeply nested");
		return;
	}
	f = &lex->frames[lex->nframes++];
	f->type = type;
	f->pattern = type == 'c';
	f->func = func;
}

/* The innermost ( { or case, or NULL. */
static struct sh_frame *
sh_top(struct sh_lex *lex)
{
	return (lex->nframes > 0 ? &lex->frames[lex->nframes - 1] : NULL);
}

/* The function whose body is being read, or NULL. */
static const char *
sh_func(struct sh_lex *lex)
{
	int	i;

	for (i = lex->nframes - 1; i >= 0; i--) {
		if (lex->frames[i].func != NULL)
			return (lex->frames[i].func);
	}
	return (NULL);
}

/* Is the raw text at pos blanks, "(", blanks, ")"?  Returns the end or 0. */
static size_t
sh_funcparens(struct sh_lex *lex, size_t pos)
{
	const char	*s = lex->s;

	while (pos < lex->len && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	if (pos >= lex->len || s[pos] != '(')
		return (0);
	pos++;
	while (pos < lex->len && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	if (pos >= lex->len || s[pos] != ')')
		return (0);
	return (pos + 1);
}

/* Skip the words of a for/select header up to ; newline or do. */
static void
sh_skip_for(struct sh_lex *lex)
{
	struct sh_tok	t;

	for (;;) {
		sh_next(lex, &t, false);
		if (t.type == TK_EOF || t.type == TK_SEMI || t.type == TK_NL)
			return;
		if (t.type == TK_WORD && strcmp(t.w.v, "do") == 0 &&
		    !(t.w.wf & W_QUOTED))
			return;
	}
}

/* Skip a [[ ... ]] test: nothing in it runs but its substitutions. */
static void
sh_skip_test(struct sh_lex *lex, struct sh_build *b)
{
	struct sh_tok	t;

	for (;;) {
		sh_next(lex, &t, false);
		if (t.type == TK_EOF) {
			sh_problem(lex->ctx, SH_UNPARSED, "unterminated [[");
			return;
		}
		if (t.type == TK_WORD && strcmp(t.w.v, "]]") == 0 &&
		    !(t.w.wf & W_QUOTED)) {
			b->any = b->closed = true;
			return;
		}
	}
}

/* A word at the start of a command that is a reserved word; 1 if it was. */
static int
sh_keyword(struct sh_lex *lex, struct sh_build *b, struct sh_tok *t,
    const char **func)
{
	struct sh_frame	*f = sh_top(lex);
	struct sh_tok	 n;
	const char	*w = t->w.v;
	size_t		 end;

	if (t->w.wf & (W_QUOTED | W_EXPAND))
		return (0);
	if (sh_inlist("if then else elif do while until ! coproc", w))
		return (1);
	if (strcmp(w, "fi") == 0 || strcmp(w, "done") == 0) {
		b->any = b->closed = true;
		return (1);
	}
	if (strcmp(w, "{") == 0) {
		sh_push(lex, '{', *func);
		*func = NULL;
		return (1);
	}
	if (strcmp(w, "}") == 0 || strcmp(w, "esac") == 0) {
		if (f != NULL && f->type == (*w == '}' ? '{' : 'c'))
			lex->nframes--;
		else
			sh_problem(lex->ctx, SH_UNPARSED, *w == '}' ?
			    "unbalanced brace" : "unbalanced case");
		b->any = b->closed = true;
		return (1);
	}
	if (strcmp(w, "case") == 0) {
		sh_next(lex, &n, false);	/* the subject */
		sh_next(lex, &n, false);	/* in */
		sh_push(lex, 'c', NULL);
		return (1);
	}
	if (strcmp(w, "for") == 0 || strcmp(w, "select") == 0) {
		sh_skip_for(lex);
		return (1);
	}
	if (strcmp(w, "[[") == 0) {
		sh_skip_test(lex, b);
		return (1);
	}
	if (strcmp(w, "function") == 0) {
		sh_next(lex, &n, false);
		if (n.type == TK_WORD) {
			*func = n.w.v;
			if ((end = sh_funcparens(lex, lex->pos)) != 0)
				lex->pos = end;
		}
		return (1);
	}
	return (0);
}

/* A word: a keyword, an assignment, a function name, or an argument. */
static void
sh_word(struct sh_lex *lex, struct sh_build *b, struct sh_tok *t,
    const char **func)
{
	size_t	end;

	if (b->nargs == 0 && !b->closed) {
		if (sh_keyword(lex, b, t, func))
			return;
		if (t->w.wf & W_ASSIGN) {
			b->any = true;
			return;
		}
		if (!(t->w.wf & (W_QUOTED | W_EXPAND)) && t->w.v[0] != '\0' &&
		    (end = sh_funcparens(lex, lex->pos)) != 0) {
			*func = t->w.v;		/* name () body */
			lex->pos = end;
			return;
		}
	}
	if (b->nargs >= SH_MAX_WORDS) {
		sh_problem(lex->ctx, SH_TRUNCATED, "too many words");
		return;
	}
	if (b->nargs == b->cap) {
		b->cap = b->cap == 0 ? 16 : b->cap * 2;
		b->args = xreallocarray(b->args, b->cap, sizeof *b->args);
	}
	b->args[b->nargs++] = t->w;
	b->any = true;
}

/* A redirection and its target word. */
static void
sh_redirect(struct sh_lex *lex, struct sh_build *b, struct sh_tok *t)
{
	struct sh_tok		 w;
	struct sh_redir		*r;
	struct sh_heredoc	*h;
	const char		*v;

	sh_next(lex, &w, false);
	b->any = true;
	if (w.type != TK_WORD) {
		sh_problem(lex->ctx, SH_UNPARSED, "redirection without a target");
		return;
	}
	if (b->nredirs >= SH_MAX_REDIRS)
		return;
	r = &b->redirs[b->nredirs];
	b->hdslot[b->nredirs] = -1;
	b->nredirs++;
	r->op = t->rop;
	r->fd = t->fd;
	r->target = v = w.w.v;
	if (r->op == SH_R_DUP && strcmp(v, "-") != 0 &&
	    strspn(v, "0123456789") != strlen(v)) {
		/* >&file is &>file. */
		r->op = *v != '\0' && t->fd == 0 ? SH_R_IN : SH_R_OUT;
		if (r->fd == 1)
			r->fd = -1;
	}
	if (r->op == SH_R_HEREDOC) {
		if (lex->nhd >= sizeof lex->hd / sizeof lex->hd[0]) {
			sh_problem(lex->ctx, SH_TRUNCATED,
			    "too many here-documents");
			return;
		}
		h = &lex->hd[lex->nhd];
		memset(h, 0, sizeof *h);
		h->delim = v;
		h->strip = t->strip;
		h->expand = !(w.w.wf & W_QUOTED);
		h->cmd = -1;
		b->hdslot[b->nredirs - 1] = (int)lex->nhd++;
	}
}

static int sh_emit(struct sh_lex *, struct sh_arg *, size_t,
    struct sh_build *, int);

/* Is prog a shell or something else that runs the text it reads? */
static int
sh_is_shell(const char *prog)
{
	return (sh_inlist("sh bash dash zsh ksh ash mksh rbash fish posh yash "
	    "eval source . python python2 python3 perl ruby php node", prog));
}

/* End the simple command being read; false if there was nothing. */
static bool
sh_finish(struct sh_lex *lex, struct sh_build *b, size_t first)
{
	struct sh_ctx	*ctx = lex->ctx;
	struct sh_cmd	*c;
	const char	*prog = "";
	size_t		 i, subend;
	int		 idx = -1, features;

	if (!b->any) {
		sh_build_reset(b);
		return (false);
	}
	subend = ctx->pub.ncmds;
	if (b->nargs != 0 || b->nredirs != 0) {
		features = lex->inherit;
		if (sh_func(lex) != NULL)
			features |= SH_F_FUNCTION;
		if (lex->pipe_prev >= 0)
			features |= SH_FI_PIPED;
		idx = sh_command(lex, b->args, b->nargs, b, features, 0,
		    &prog);
	}
	/* The previous command of a pipeline feeds this one. */
	if (lex->pipe_prev >= 0 && (size_t)lex->pipe_prev < ctx->pub.ncmds) {
		c = &ctx->pub.cmds[lex->pipe_prev];
		c->feeds_to = prog;
		c->feeds = idx;
		if (sh_is_shell(prog))
			c->features |= SH_F_TOSHELL;
	}
	lex->pipe_prev = -1;
	/* Substitutions in its words feed it. */
	for (i = first; i < subend; i++) {
		c = &ctx->pub.cmds[i];
		if (c->depth == lex->depth + 1 && (c->features & SH_F_SUBST) &&
		    c->feeds_to == NULL) {
			c->feeds_to = prog;
			c->feeds = idx;
			if (sh_is_shell(prog))
				c->features |= SH_F_TOSHELL;
		}
	}
	if (idx >= 0)
		lex->last = idx;
	sh_build_reset(b);
	return (true);
}

/* What a command writes on its standard output, when the line says. */
static const char *
sh_output(struct sh_ctx *ctx, const struct sh_cmd *c)
{
	struct sbuf	 out;
	const char	*r;
	size_t		 i = 1;

	if (strcmp(c->program, "cat") == 0 || strcmp(c->program, "tee") == 0)
		return (strcmp(c->program, "cat") != 0 || c->noperands == 0 ?
		    c->input : NULL);
	if (strcmp(c->program, "echo") != 0 &&
	    strcmp(c->program, "printf") != 0)
		return (NULL);
	while (i < c->argc && *c->program == 'e' && c->argv[i][0] == '-' &&
	    strspn(c->argv[i] + 1, "neE") == strlen(c->argv[i] + 1))
		i++;
	sbuf_init(&out);
	for (; i < c->argc; i++) {
		if (out.len != 0)
			sbuf_addc(&out, ' ');
		sbuf_adds(&out, c->argv[i]);
	}
	r = sh_strndup(ctx, out.buf != NULL ? out.buf : "", out.len);
	sbuf_free(&out);
	return (r);
}

/* xargs: the words it reads become arguments of the command it runs. */
static void
sh_xargs(struct sh_ctx *ctx, struct sh_cmd *c)
{
	const char	**argv, **ops, *p = c->input, *e;
	size_t		  n = 0, max = 64;

	argv = sh_alloc(ctx, (c->argc + max + 1) * sizeof *argv);
	ops = sh_alloc(ctx, (c->noperands + max + 1) * sizeof *ops);
	memcpy(argv, c->argv, c->argc * sizeof *argv);
	memcpy(ops, c->operands, c->noperands * sizeof *ops);
	while (n < max) {
		p += strspn(p, " \t\n");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " \t\n");
		argv[c->argc + n] = ops[c->noperands + n] =
		    sh_strndup(ctx, p, (size_t)(e - p));
		n++;
		p = e;
	}
	c->argv = argv;
	c->argc += n;
	c->operands = ops;
	c->noperands += n;
}

/*
 * After a list: pass known text along pipes, give xargs its words, and
 * parse what shells read on standard input (echo 'rm -rf /' | sh).
 */
static void
sh_post(struct sh_lex *lex, size_t first)
{
	struct sh_ctx	*ctx = lex->ctx;
	struct sh_cmd	*c, *to;
	const char	*out, *in;
	size_t		 i, end = ctx->pub.ncmds;
	int		 features;

	for (i = first; i < end; i++) {
		c = &ctx->pub.cmds[i];
		if (c->feeds < 0 || (size_t)c->feeds >= end)
			continue;
		to = &ctx->pub.cmds[c->feeds];
		if (to->input == NULL && (out = sh_output(ctx, c)) != NULL)
			to->input = out;
	}
	for (i = first; i < end && !ctx->stop; i++) {
		c = &ctx->pub.cmds[i];
		if (c->input == NULL || (c->features & SH_FI_DONE))
			continue;
		c->features |= SH_FI_DONE;
		if (c->features & SH_FI_XARGS)
			sh_xargs(ctx, c);
		if (!(c->features & SH_F_STDINCODE))
			continue;
		in = c->input;
		features = c->features & (SH_F_ELEVATED | SH_F_REMOTE |
		    SH_F_SUBST | SH_F_FUNCTION);
		sh_reparse(lex, in, strlen(in), features);
	}
}

/* Mark the commands of a pipeline that ended; find fork bombs. */
static void
sh_pipeline(struct sh_lex *lex, size_t pstart, int npipe, bool bg)
{
	struct sh_ctx	*ctx = lex->ctx;
	struct sh_cmd	*c;
	const char	*func = sh_func(lex);
	size_t		 i;

	for (i = pstart; i < ctx->pub.ncmds; i++) {
		c = &ctx->pub.cmds[i];
		if (bg)
			c->features |= SH_F_BACKGROUND;
		if (func != NULL && (npipe > 0 || bg) &&
		    c->depth == lex->depth && strcmp(c->program, func) == 0)
			c->features |= SH_F_FORKBOMB;
	}
}

/* Skip the patterns of a case item up to its ")". */
static void
sh_case_pattern(struct sh_lex *lex, struct sh_build *b, struct sh_tok *t)
{
	struct sh_frame	*f = sh_top(lex);

	if (t->type == TK_WORD && strcmp(t->w.v, "esac") == 0 &&
	    !(t->w.wf & W_QUOTED)) {
		lex->nframes--;
		b->any = b->closed = true;
	} else if (t->type == TK_RP)
		f->pattern = false;
}

/*
 * Parse a list of pipelines until the end of the text or, with stop ')',
 * the ) closing a substitution.  Simple commands are emitted as they end.
 */
static void
sh_list(struct sh_lex *lex, int stop)
{
	struct sh_ctx	*ctx = lex->ctx;
	struct sh_build	 b;
	struct sh_tok	 t;
	struct sh_frame	*f;
	const char	*func = NULL;
	size_t		 first = ctx->pub.ncmds, pstart = first, bfirst = first;
	int		 npipe = 0;
	bool		 pending = false, any;

	memset(&b, 0, sizeof b);
	for (;;) {
		if (!b.any)
			bfirst = ctx->pub.ncmds;
		f = sh_top(lex);
		sh_next(lex, &t, b.nargs == 0 && !b.closed);
		if (f != NULL && f->type == 'c' && f->pattern &&
		    t.type != TK_EOF) {
			sh_case_pattern(lex, &b, &t);
			continue;
		}
		if (t.type != TK_NL && t.type != TK_EOF)
			pending = false;
		switch (t.type) {
		case TK_WORD:
			sh_word(lex, &b, &t, &func);
			continue;
		case TK_REDIR:
			sh_redirect(lex, &b, &t);
			continue;
		case TK_ARITH:
			b.any = b.closed = true;
			continue;
		case TK_LP:
			if (b.nargs != 0 || b.closed) {
				sh_problem(ctx, SH_UNPARSED, "unexpected (");
				continue;
			}
			sh_push(lex, '(', func);
			func = NULL;
			continue;
		case TK_RP:
			sh_finish(lex, &b, bfirst);
			if (f != NULL && f->type == '(') {
				lex->nframes--;
				b.any = b.closed = true;
				continue;
			}
			if (stop == ')')
				goto out;
			sh_problem(ctx, SH_UNPARSED, "unbalanced parenthesis");
			continue;
		case TK_PIPE:
			if (!sh_finish(lex, &b, bfirst))
				sh_problem(ctx, SH_UNPARSED, "| without a command");
			lex->pipe_prev = lex->last;
			npipe++;
			pending = true;
			continue;
		case TK_EOF:
			if (lex->nhd != 0)
				sh_heredocs(lex);	/* never terminated */
			sh_finish(lex, &b, bfirst);
			sh_pipeline(lex, pstart, npipe, false);
			if (pending)
				sh_problem(ctx, SH_UNPARSED,
				    "the line ends with an operator");
			if (stop == ')' && !ctx->stop)
				sh_problem(ctx, SH_UNPARSED,
				    "unbalanced parenthesis");
			if (lex->nframes != 0 && !ctx->stop) {
				f = &lex->frames[lex->nframes - 1];
				sh_problem(ctx, SH_UNPARSED, f->type == '(' ?
				    "unbalanced parenthesis" : f->type == '{' ?
				    "unbalanced brace" : "unterminated case");
			}
			goto out;
		default:
			/* ; & && || ;; and newline end a pipeline. */
			any = sh_finish(lex, &b, bfirst);
			if (!any && (t.type == TK_AND || t.type == TK_OR ||
			    (t.type != TK_NL && pending)))
				sh_problem(ctx, SH_UNPARSED,
				    "an operator without a command");
			sh_pipeline(lex, pstart, npipe, t.type == TK_AMP);
			lex->pipe_prev = -1;
			npipe = 0;
			pstart = ctx->pub.ncmds;
			pending = t.type == TK_AND || t.type == TK_OR ||
			    (pending && t.type == TK_NL);
			if (t.type == TK_CASESEP && f != NULL && f->type == 'c')
				f->pattern = true;
			continue;
		}
	}
out:
	free(b.args);
	sh_post(lex, first);
}

/* How a wrapper runs the command it is given. */
#define WR_ARGV		1	/* the rest of its arguments: sudo rm -rf / */
#define WR_SHELL	2	/* sh -c STRING, a script, or commands on stdin */
#define WR_SU		3	/* su [-] [user] -c STRING */
#define WR_EVAL		4	/* its arguments joined, as shell text */
#define WR_SSH		5	/* ssh [opts] host remote command text */
#define WR_WATCH	6	/* watch [opts] command text (argv with -x) */
#define WR_FIND		7	/* find ... -exec cmd {} ; */
#define WR_EXEC		8	/* kubectl exec POD -- cmd, docker exec C cmd */
#define WR_TRAP		9	/* trap 'text' SIGNAL */
#define WR_ALIAS	10	/* alias name='text' */
#define WR_STDIN	11	/* at, batch: commands on standard input */

struct sh_wrapper {
	const char	*names;		/* space-separated */
	int		 kind;		/* WR_* */
	const char	*valshort;	/* short options taking a value */
	const char	*vallong;	/* long options taking a value */
	int		 strshort;	/* option whose value is shell text, or 0 */
	int		 skip;		/* operands before the command */
	int		 features;
};

static const struct sh_wrapper sh_wrappers[] = {
	{ "sudo", WR_ARGV, "ugCprtUDThR", "user group close-from prompt role "
	  "type other-user chdir chroot command-timeout host", 0, 0,
	  SH_F_ELEVATED },
	{ "doas", WR_ARGV, "uC", "", 0, 0, SH_F_ELEVATED },
	{ "pkexec", WR_ARGV, "", "user", 0, 0, SH_F_ELEVATED },
	{ "su runuser", WR_SU, "gGsuw", "group supp-group shell user "
	  "whitelist-environment", 'c', 0, SH_F_ELEVATED },
	{ "env", WR_ARGV, "uCP", "unset chdir", 'S', 0, 0 },
	{ "nice", WR_ARGV, "n", "adjustment", 0, 0, 0 },
	{ "nohup setsid unbuffer builtin busybox", WR_ARGV, "", "", 0, 0, 0 },
	{ "timeout", WR_ARGV, "ks", "kill-after signal", 0, 1, 0 },
	{ "time", WR_ARGV, "fo", "format output", 0, 0, 0 },
	{ "command exec", WR_ARGV, "a", "", 0, 0, 0 },
	{ "xargs", WR_ARGV, "aEdILnPs", "arg-file eof delimiter replace "
	  "max-lines max-args max-procs max-chars process-slot-var", 0, 0,
	  SH_F_MOREARGS },
	{ "stdbuf", WR_ARGV, "ioe", "input output error", 0, 0, 0 },
	{ "ionice", WR_ARGV, "cnpPu", "class classdata pid pgid uid", 0, 0, 0 },
	{ "chroot", WR_ARGV, "", "userspec groups", 0, 1, 0 },
	{ "taskset chrt", WR_ARGV, "", "", 0, 1, 0 },
	{ "flock", WR_ARGV, "wE", "wait timeout conflict-exit-code", 'c', 1,
	  0 },
	{ "strace ltrace", WR_ARGV, "abeEIoOpPsSuX", "", 0, 0, 0 },
	{ "sshpass", WR_ARGV, "pfde", "", 0, 0, 0 },
	{ "systemd-run", WR_ARGV, "pEMH", "unit property description slice "
	  "uid gid nice working-directory setenv machine host on-calendar",
	  0, 0, SH_F_ELEVATED },
	{ "sh bash dash zsh ksh ash mksh rbash fish posh yash", WR_SHELL,
	  "oO", "rcfile init-file", 0, 0, 0 },
	{ "eval", WR_EVAL, "", "", 0, 0, 0 },
	{ "ssh", WR_SSH, "BbcDEeFIiJLlmOoPpQRSWw", "", 0, 0, SH_F_REMOTE },
	{ "watch", WR_WATCH, "nq", "interval equexit", 0, 0, 0 },
	{ "find", WR_FIND, "", "", 0, 0, 0 },
	{ "kubectl oc docker podman nerdctl", WR_EXEC, "", "", 0, 0,
	  SH_F_REMOTE },
	{ "trap", WR_TRAP, "", "", 0, 0, 0 },
	{ "alias", WR_ALIAS, "", "", 0, 0, 0 },
	{ "at batch", WR_STDIN, "", "", 0, 0, 0 },
};

/* How a program's options are read. */
#define OPT_GNU		0	/* options anywhere until -- */
#define OPT_FIRST	1	/* options only before the first operand */
#define OPT_NONE	2	/* no options: every word is an operand */
#define OPT_KILL	3	/* kill -9 / -KILL / -s KILL, then pids */
#define OPT_PKILL	4	/* pkill, killall: -9 or -KILL is a signal */
#define OPT_CHMOD	5	/* -rwx is a mode, not options */
#define OPT_FIND	6	/* find paths, then -predicates */

struct sh_optspec {
	const char	*names;		/* space-separated */
	int		 mode;		/* OPT_* */
	const char	*valshort;	/* short options taking a value */
	const char	*optshort;	/* short options with an attached value only */
	const char	*vallong;	/* long options taking a value */
	const char	*map;		/* "r=recursive f=force": short to long;
					   "D=delete,force" gives two */
};

static const struct sh_optspec sh_optspecs[] = {
	{ "rm", OPT_GNU, "", "", "", "r=recursive R=recursive f=force "
	  "i=interactive I=interactive d=dir v=verbose" },
	{ "cp", OPT_GNU, "tS", "", "target-directory suffix",
	  "r=recursive R=recursive f=force a=archive i=interactive "
	  "n=no-clobber v=verbose t=target-directory" },
	{ "mv", OPT_GNU, "tS", "", "target-directory suffix",
	  "f=force i=interactive n=no-clobber v=verbose t=target-directory" },
	{ "ln", OPT_GNU, "tS", "", "target-directory suffix",
	  "s=symbolic f=force t=target-directory" },
	{ "chmod", OPT_CHMOD, "", "", "reference", "R=recursive f=silent "
	  "v=verbose c=changes" },
	{ "chown chgrp", OPT_GNU, "", "", "reference from", "R=recursive "
	  "f=silent v=verbose c=changes h=no-dereference" },
	{ "kill", OPT_KILL, "", "", "", "" },
	{ "pkill pgrep", OPT_PKILL, "gGPtuUFe", "", "signal group pgroup "
	  "parent terminal euid uid session ns nslist pidfile", "f=full" },
	{ "killall", OPT_PKILL, "sunoy", "", "signal user older-than "
	  "younger-than context", "s=signal u=user" },
	{ "find", OPT_FIND, "", "", "", "" },
	{ "dd echo printf test [ expr true false", OPT_NONE, "", "", "", "" },
	{ "ssh sudo env xargs timeout nice nohup", OPT_FIRST,
	  "BbcDEeFIiJLlmOoPpQRSWwugCrtUDThaEdILs", "", "", "" },
	{ "git", OPT_GNU, "Cc", "", "git-dir work-tree namespace exec-path",
	  "f=force d=delete D=delete,force" },
	{ "systemctl", OPT_GNU, "HMtpsnoP", "", "host machine type property "
	  "signal lines output state kill-whom root what", "f=force q=quiet "
	  "a=all" },
	{ "kubectl oc", OPT_GNU, "nflcoLs", "", "namespace filename selector "
	  "container output context cluster user kubeconfig grace-period "
	  "timeout field-selector server token as", "n=namespace f=filename "
	  "l=selector c=container o=output A=all-namespaces" },
	{ "docker podman nerdctl", OPT_GNU, "Hc", "", "host context config "
	  "log-level", "f=force a=all v=volumes" },
	{ "iptables ip6tables iptables-legacy iptables-nft", OPT_GNU,
	  "tAIDRPNEjspdiogmw", "", "table append insert delete replace "
	  "policy new-chain rename-chain jump source destination protocol "
	  "in-interface out-interface goto match", "F=flush X=delete-chain "
	  "Z=zero L=list S=list-rules A=append D=delete I=insert R=replace "
	  "P=policy N=new-chain E=rename-chain t=table j=jump" },
	{ "sed", OPT_GNU, "efl", "i", "expression file line-length",
	  "i=in-place n=quiet E=regexp-extended r=regexp-extended "
	  "s=separate z=null-data e=expression f=file" },
	{ "crontab", OPT_GNU, "u", "", "", "r=remove e=edit l=list "
	  "i=interactive" },
	{ "mysql mariadb", OPT_GNU, "euhPDS", "p", "execute user host port "
	  "database socket", "e=execute u=user h=host P=port D=database "
	  "p=password" },
	{ "psql", OPT_GNU, "cdhpUfv", "", "command dbname host port username "
	  "file set", "c=command d=dbname h=host p=port U=username f=file" },
	{ "mongo mongosh", OPT_GNU, "uph", "", "eval username password host "
	  "port", "" },
	{ "redis-cli", OPT_GNU, "hpanu", "", "user pass", "" },
	{ "curl", OPT_GNU, "odXHuxAebcFKTwmrE", "", "output data request "
	  "header user proxy user-agent referer cookie cookie-jar form "
	  "config upload-file write-out max-time range cert", "o=output" },
	{ "wget", OPT_GNU, "OoPaeUtTw", "", "output-document output-file "
	  "directory-prefix tries timeout wait user-agent",
	  "O=output-document q=quiet" },
	{ "base64 base32 basenc", OPT_GNU, "w", "", "wrap", "d=decode "
	  "D=decode i=ignore-garbage" },
	{ "xxd", OPT_GNU, "cglos", "", "", "r=revert p=plain" },
	{ "tee", OPT_GNU, "", "", "output-error", "a=append "
	  "i=ignore-interrupts" },
	{ "truncate", OPT_GNU, "sr", "", "size reference", "s=size "
	  "c=no-create" },
	{ "shred", OPT_GNU, "ns", "", "iterations size random-source",
	  "u=remove z=zero n=iterations f=force" },
	{ "wipefs", OPT_GNU, "tob", "", "types offset backup", "a=all "
	  "f=force" },
	{ "userdel deluser", OPT_GNU, "R", "", "root", "r=remove f=force" },
	{ "sysctl", OPT_GNU, "p", "", "", "w=write" },
	{ "shutdown", OPT_GNU, "", "", "", "r=reboot h=halt P=poweroff "
	  "c=cancel" },
	{ "tar", OPT_GNU, "fCbT", "", "file directory", "x=extract "
	  "c=create f=file C=directory" },
	{ "ip", OPT_FIRST, "fbn", "", "", "" },
	{ "apt apt-get aptitude dpkg yum dnf zypper apk pacman pip pip3 "
	  "npm snap", OPT_GNU, "ocr", "", "", "y=yes" },
	{ "nginx apachectl", OPT_GNU, "scgp", "", "", "s=signal" },
	{ "history", OPT_GNU, "d", "", "", "c=clear" },
	{ "passwd", OPT_GNU, "nxwi", "", "", "d=delete l=lock" },
	{ "mount umount", OPT_GNU, "otTL", "", "options types", "f=force "
	  "l=lazy a=all" },
	{ "helm", OPT_GNU, "nf", "", "namespace values kube-context",
	  "n=namespace" },
	{ "terraform tofu", OPT_GNU, "", "", "", "" },
};

/* A growing list of strings, copied into the arena when done. */
struct sh_vec {
	const char	**v;
	size_t		  n;
	size_t		  cap;
};

/* Append s. */
static void
sh_vec_add(struct sh_vec *vec, const char *s)
{
	if (vec->n == vec->cap) {
		vec->cap = vec->cap == 0 ? 8 : vec->cap * 2;
		vec->v = xreallocarray(vec->v, vec->cap, sizeof *vec->v);
	}
	vec->v[vec->n++] = s;
}

/* The list as a NULL-terminated arena array; frees the vector. */
static const char **
sh_vec_done(struct sh_ctx *ctx, struct sh_vec *vec, size_t *n)
{
	const char	**a;

	a = sh_alloc(ctx, (vec->n + 1) * sizeof *a);
	if (vec->n != 0)
		memcpy(a, vec->v, vec->n * sizeof *a);
	*n = vec->n;
	free(vec->v);
	memset(vec, 0, sizeof *vec);
	return (a);
}

/* Does the glob prog (/bin/r?) match one of the names in list? */
static int
sh_globlist(const char *list, const char *prog)
{
	char		 name[64];
	const char	*p = list;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (n < sizeof name) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (fnmatch(prog, name, 0) == 0)
				return (1);
		}
		p += n;
		p += *p == ' ';
	}
	return (0);
}

/*
 * The program names of the wrapper and option tables, hashed once: looking
 * a program up is then a probe instead of a scan of every name list (this
 * runs for every command on every keystroke).  Built on first use from the
 * constant tables; it never changes after.
 */
#define SH_NAMES	512	/* a power of two, well over the names */

struct sh_name {
	const char	*name;		/* in a table's names; not terminated */
	size_t		 len;
	short		 wrapper;	/* index in sh_wrappers, or -1 */
	short		 spec;		/* index in sh_optspecs, or -1 */
};

/* FNV-1a of n bytes. */
static uint32_t
sh_hash(const char *s, size_t n)
{
	uint32_t	h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return (h);
}

/* The slot of name (empty if absent). */
static struct sh_name *
sh_name_slot(struct sh_name *tab, const char *name, size_t n)
{
	uint32_t	i = sh_hash(name, n) & (SH_NAMES - 1);

	while (tab[i].name != NULL && (tab[i].len != n ||
	    memcmp(tab[i].name, name, n) != 0))
		i = (i + 1) & (SH_NAMES - 1);
	return (&tab[i]);
}

/* Add each name of list with its table index. */
static void
sh_names_add(struct sh_name *tab, const char *list, int wrapper, int spec)
{
	struct sh_name	*slot;
	size_t		 n;

	while (*list != '\0') {
		n = strcspn(list, " ");
		slot = sh_name_slot(tab, list, n);
		if (slot->name == NULL) {
			slot->name = list;
			slot->len = n;
			slot->wrapper = slot->spec = -1;
		}
		if (wrapper >= 0 && slot->wrapper < 0)
			slot->wrapper = (short)wrapper;
		if (spec >= 0 && slot->spec < 0)
			slot->spec = (short)spec;
		list += n;
		list += *list == ' ';
	}
}

/* The entry for a program name, or NULL. */
static const struct sh_name *
sh_name(const char *prog)
{
	static struct sh_name	tab[SH_NAMES];
	static bool		ready;
	struct sh_name		*slot;
	size_t			 i;

	if (!ready) {
		for (i = 0; i < sizeof sh_wrappers / sizeof sh_wrappers[0];
		    i++)
			sh_names_add(tab, sh_wrappers[i].names, (int)i, -1);
		for (i = 0; i < sizeof sh_optspecs / sizeof sh_optspecs[0];
		    i++)
			sh_names_add(tab, sh_optspecs[i].names, -1, (int)i);
		ready = true;
	}
	slot = sh_name_slot(tab, prog, strlen(prog));
	return (slot->name != NULL ? slot : NULL);
}

/* The spec of a program's options (glob: the first it matches), or NULL. */
static const struct sh_optspec *
sh_optspec(const char *prog, bool glob)
{
	const struct sh_name	*nm;
	size_t			 i;

	if ((nm = sh_name(prog)) != NULL && nm->spec >= 0)
		return (&sh_optspecs[nm->spec]);
	for (i = 0; glob && i < sizeof sh_optspecs / sizeof sh_optspecs[0];
	    i++) {
		if (sh_globlist(sh_optspecs[i].names, prog))
			return (&sh_optspecs[i]);
	}
	return (NULL);
}

/* The wrapper of this name, or NULL. */
static const struct sh_wrapper *
sh_wrapper(const char *prog)
{
	const struct sh_name	*nm = sh_name(prog);

	return (nm != NULL && nm->wrapper >= 0 ? &sh_wrappers[nm->wrapper] :
	    NULL);
}

/* The canonical name of a signal: "9", "kill", "SIGKILL" are "KILL". */
static const char *
sh_signal(struct sh_ctx *ctx, const char *s)
{
	static const char	*nums[] = { NULL, "HUP", "INT", "QUIT", "ILL",
	    "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
	    "PIPE", "ALRM", "TERM", NULL, "CHLD", "CONT", "STOP", "TSTP" };
	char			*r;
	size_t			 i;
	long			 n;

	if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		n = strlen(s) < 4 ? atol(s) : -1;
		if (n > 0 && n < (long)(sizeof nums / sizeof nums[0]) &&
		    nums[n] != NULL)
			return (nums[n]);
		return (sh_strdup(ctx, s));
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	r = sh_strdup(ctx, s);
	for (i = 0; r[i] != '\0'; i++)
		r[i] = (char)toupper((unsigned char)r[i]);
	return (r);
}

/* Add the long name(s) of option name to flags, with "=value" if any. */
static void
sh_flag(struct sh_ctx *ctx, struct sh_vec *flags,
    const struct sh_optspec *sp, const char *name, size_t nlen,
    const char *value)
{
	const char	*m = sp != NULL ? sp->map : "", *e, *v;
	char		*r;
	size_t		 vlen;

	/* Look name up in the map: "key=long[,long]". */
	while (*m != '\0') {
		e = m + strcspn(m, "= ");
		if (*e == '=' && (size_t)(e - m) == nlen &&
		    memcmp(m, name, nlen) == 0) {
			v = e + 1;
			vlen = strcspn(v, " ");
			while (vlen != 0) {
				e = memchr(v, ',', vlen);
				nlen = e != NULL ? (size_t)(e - v) : vlen;
				sh_flag(ctx, flags, NULL, v, nlen,
				    e == NULL ? value : NULL);
				if (e == NULL)
					break;
				vlen -= nlen + 1;
				v = e + 1;
			}
			return;
		}
		m = e + strcspn(e, " ");
		m += *m == ' ';
	}
	if (value == NULL) {
		sh_vec_add(flags, sh_strndup(ctx, name, nlen));
		return;
	}
	if (nlen == 6 && memcmp(name, "signal", 6) == 0)
		value = sh_signal(ctx, value);
	vlen = strlen(value);
	r = sh_alloc(ctx, nlen + vlen + 2);
	memcpy(r, name, nlen);
	r[nlen] = '=';
	memcpy(r + nlen + 1, value, vlen);
	sh_vec_add(flags, r);
}

/* kill: one signal option, then process ids (-1 is a pid, not an option). */
static size_t
sh_opts_kill(struct sh_ctx *ctx, const char **argv, size_t argc,
    struct sh_vec *flags)
{
	size_t		 i = 1;
	const char	*a;

	while (i < argc) {
		a = argv[i];
		if (strcmp(a, "--") == 0)
			return (i + 1);
		if (a[0] != '-' || a[1] == '\0')
			return (i);
		if ((strcmp(a, "-s") == 0 || strcmp(a, "-n") == 0 ||
		    strcmp(a, "--signal") == 0) && i + 1 < argc) {
			sh_flag(ctx, flags, NULL, "signal", 6, argv[i + 1]);
			i += 2;
			continue;
		}
		if (strncmp(a, "--signal=", 9) == 0)
			sh_flag(ctx, flags, NULL, "signal", 6, a + 9);
		else if (strcmp(a, "-l") == 0 || strcmp(a, "-L") == 0 ||
		    strcmp(a, "--list") == 0)
			sh_vec_add(flags, "list");
		else
			sh_flag(ctx, flags, NULL, "signal", 6, a + 1);
		return (i + 1);
	}
	return (i);
}

/* find: options, start paths, then -predicates (values as name=value). */
static void
sh_opts_find(struct sh_ctx *ctx, const char **argv, size_t argc,
    struct sh_vec *flags, struct sh_vec *ops)
{
	static const char	*valued = "name iname path ipath wholename "
	    "iwholename regex iregex lname ilname type xtype mtime atime "
	    "ctime mmin amin cmin size user group uid gid perm newer anewer "
	    "cnewer samefile links inum maxdepth mindepth printf fprint "
	    "fprint0 fls context fstype used regextype newermt D";
	size_t			 i = 1;
	const char		*a;

	while (i < argc && (strcmp(argv[i], "-H") == 0 ||
	    strcmp(argv[i], "-L") == 0 || strcmp(argv[i], "-P") == 0 ||
	    strncmp(argv[i], "-O", 2) == 0))
		sh_vec_add(flags, argv[i++] + 1);
	while (i < argc && argv[i][0] != '-' && !sh_inlist("( ) ! ,", argv[i]))
		sh_vec_add(ops, argv[i++]);
	while (i < argc) {
		a = argv[i];
		if (a[0] != '-' || a[1] == '\0') {
			i++;
			continue;
		}
		a++;
		if (sh_inlist("exec execdir ok okdir", a)) {
			sh_vec_add(flags, a);
			while (++i < argc && strcmp(argv[i], ";") != 0 &&
			    strcmp(argv[i], "+") != 0)
				;
			i++;
		} else if (sh_inlist(valued, a) && i + 1 < argc) {
			sh_flag(ctx, flags, NULL, a, strlen(a), argv[i + 1]);
			i += 2;
		} else {
			sh_vec_add(flags, a);
			i++;
		}
	}
}

/* Split argv into normalised flags and operands, by the program's spec. */
static void
sh_options(struct sh_ctx *ctx, struct sh_cmd *c, bool glob)
{
	const struct sh_optspec	*sp = sh_optspec(c->program, glob);
	struct sh_vec		 flags = { NULL, 0, 0 }, ops = { NULL, 0, 0 };
	const char		*a, *e, *valshort, *optshort, *vallong;
	size_t			 i = 1, j;
	int			 mode = sp != NULL ? sp->mode : OPT_GNU;
	bool			 end = false;

	valshort = sp != NULL ? sp->valshort : "";
	optshort = sp != NULL ? sp->optshort : "";
	vallong = sp != NULL ? sp->vallong : "";
	if (mode == OPT_FIND) {
		sh_opts_find(ctx, c->argv, c->argc, &flags, &ops);
		goto done;
	}
	if (mode == OPT_KILL) {
		i = sh_opts_kill(ctx, c->argv, c->argc, &flags);
		end = true;
	}
	if (mode == OPT_NONE)
		end = true;
	for (; i < c->argc; i++) {
		a = c->argv[i];
		if (end || a[0] != '-' || a[1] == '\0') {
			sh_vec_add(&ops, a);
			if (mode == OPT_FIRST)
				end = true;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			end = true;
			continue;
		}
		if (a[1] == '-') {
			a += 2;
			if ((e = strchr(a, '=')) != NULL) {
				sh_flag(ctx, &flags, sp, a, (size_t)(e - a),
				    e + 1);
			} else if (sh_inlist(vallong, a) && i + 1 < c->argc) {
				sh_flag(ctx, &flags, sp, a, strlen(a),
				    c->argv[++i]);
			} else
				sh_flag(ctx, &flags, sp, a, strlen(a), NULL);
			continue;
		}
		if (mode == OPT_CHMOD && strspn(a + 1, "Rcfv") !=
		    strlen(a + 1)) {
			sh_vec_add(&ops, a);	/* chmod -x file: a mode */
			continue;
		}
		if (mode == OPT_PKILL && (isdigit((unsigned char)a[1]) ||
		    isupper((unsigned char)a[1]))) {
			sh_flag(ctx, &flags, NULL, "signal", 6, a + 1);
			continue;
		}
		for (j = 1; a[j] != '\0'; j++) {
			if (strchr(valshort, a[j]) != NULL) {
				if (a[j + 1] != '\0')
					sh_flag(ctx, &flags, sp, a + j, 1,
					    a + j + 1);
				else if (i + 1 < c->argc)
					sh_flag(ctx, &flags, sp, a + j, 1,
					    c->argv[++i]);
				else
					sh_flag(ctx, &flags, sp, a + j, 1,
					    NULL);
				break;
			}
			if (strchr(optshort, a[j]) != NULL &&
			    a[j + 1] != '\0') {
				sh_flag(ctx, &flags, sp, a + j, 1, a + j + 1);
				break;
			}
			sh_flag(ctx, &flags, sp, a + j, 1, NULL);
		}
	}
done:
	c->flags = sh_vec_done(ctx, &flags, &c->nflags);
	c->operands = sh_vec_done(ctx, &ops, &c->noperands);
}

/* Make an absolute path lexically plain (see shparse.h). */
size_t
shparse_normpath(const char *path, char *out, size_t outlen)
{
	size_t	n = 0, seg, keep;
	const char *p = path;

	if (outlen == 0)
		return (0);
	if (*p != '/') {
		n = strlen(path);
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, path, n);
		out[n] = '\0';
		return (n);
	}
	/* Lexically: // is /, /./ is /, /x/../ is /, no trailing /. */
	while (*p != '\0') {
		while (*p == '/')
			p++;
		seg = strcspn(p, "/");
		if (seg == 0)
			break;
		if (seg == 1 && p[0] == '.') {
			p += seg;
			continue;
		}
		if (seg == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			p += seg;
			continue;
		}
		keep = n + 1 + seg < outlen ? seg : 0;
		if (keep == 0)
			break;
		out[n++] = '/';
		memcpy(out + n, p, seg);
		n += seg;
		p += seg;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return (n);
}

/* Add a file written, with its path made lexically plain. */
static void
sh_write(struct sh_ctx *ctx, struct sh_vec *w, const char *path)
{
	char	buf[4096];

	if (*path == '\0')
		return;
	shparse_normpath(path, buf, sizeof buf);
	sh_vec_add(w, sh_strdup(ctx, buf));
}

/* The files a command writes: output redirections, tee, dd of=, cp/mv. */
static void
sh_writes(struct sh_ctx *ctx, struct sh_cmd *c)
{
	struct sh_vec	 w = { NULL, 0, 0 };
	const char	*p = c->program, *t;
	size_t		 i;

	for (i = 0; i < c->nredirs; i++) {
		t = c->redirs[i].target;
		if (c->redirs[i].op == SH_R_OUT ||
		    c->redirs[i].op == SH_R_APPEND ||
		    c->redirs[i].op == SH_R_INOUT)
			sh_write(ctx, &w, t);
	}
	if (sh_inlist("tee truncate shred sponge", p)) {
		for (i = 0; i < c->noperands; i++)
			sh_write(ctx, &w, c->operands[i]);
	} else if (strcmp(p, "dd") == 0) {
		for (i = 0; i < c->noperands; i++) {
			if (strncmp(c->operands[i], "of=", 3) == 0)
				sh_write(ctx, &w, c->operands[i] + 3);
		}
	} else if (sh_inlist("cp mv install ln rsync", p)) {
		for (i = 0; i < c->nflags; i++) {
			if (strncmp(c->flags[i], "target-directory=", 17) == 0)
				sh_write(ctx, &w, c->flags[i] + 17);
		}
		if (w.n == 0 && c->noperands >= 2)
			sh_write(ctx, &w, c->operands[c->noperands - 1]);
	}
	c->writes = sh_vec_done(ctx, &w, &c->nwrites);
}

/* Append s to sb, single-quoted when a shell would need it. */
static void
sh_quote(struct sbuf *sb, const char *s)
{
	static const char	*safe = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,@%+-^";

	if (*s != '\0' && strspn(s, safe) == strlen(s)) {
		sbuf_adds(sb, s);
		return;
	}
	sbuf_addc(sb, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			sbuf_adds(sb, "'\\''");
		else
			sbuf_addc(sb, *s);
	}
	sbuf_addc(sb, '\'');
}

/* "program arg arg >target" for people. */
static const char *
sh_text(struct sh_ctx *ctx, const struct sh_cmd *c)
{
	static const char	*ops[] = { ">", ">>", "<", "<>", ">&", "<<",
	    "<<<" };
	const struct sh_redir	*r;
	struct sbuf		 sb;
	const char		*t;
	size_t			 i;
	int			 dfd;

	sbuf_init(&sb);
	sbuf_adds(&sb, c->program);
	for (i = 1; i < c->argc; i++) {
		sbuf_addc(&sb, ' ');
		sh_quote(&sb, c->argv[i]);
	}
	for (i = 0; i < c->nredirs; i++) {
		r = &c->redirs[i];
		if (sb.len != 0)
			sbuf_addc(&sb, ' ');
		dfd = r->op == SH_R_OUT || r->op == SH_R_APPEND ||
		    r->op == SH_R_DUP ? 1 : 0;
		if (r->fd == -1)
			sbuf_addc(&sb, '&');
		else if (r->fd != dfd)
			sbuf_addf(&sb, "%d", r->fd);
		sbuf_adds(&sb, ops[r->op]);
		if (r->op == SH_R_HEREDOC)
			sbuf_adds(&sb, r->target);
		else
			sh_quote(&sb, r->target);
	}
	t = sh_strndup(ctx, sb.buf != NULL ? sb.buf : "", sb.len);
	sbuf_free(&sb);
	return (t);
}

/* $(which rm), `command -v rm`: the program is known after all. */
static const char *
sh_which(const struct sh_arg *a)
{
	static const char	*ask[] = { "which ", "command -v ", "type -P ",
	    "type -p " };
	const char		*v = a->v, *name;
	size_t			 n = strlen(v), i, k, len;

	if (n > 4 && v[0] == '$' && v[1] == '(' && v[n - 1] == ')') {
		v += 2;
		n -= 3;
	} else if (n > 2 && v[0] == '`' && v[n - 1] == '`') {
		v += 1;
		n -= 2;
	} else
		return (NULL);
	for (k = 0; k < sizeof ask / sizeof ask[0]; k++) {
		len = strlen(ask[k]);
		if (n <= len || strncmp(v, ask[k], len) != 0)
			continue;
		name = v + len;
		for (i = 0; i < n - len; i++) {
			if (!isalnum((unsigned char)name[i]) &&
			    strchr("._+-", name[i]) == NULL)
				return (NULL);
		}
		return (name);
	}
	return (NULL);
}

/* Emit one simple command (args may be empty: a bare redirection). */
static int
sh_emit(struct sh_lex *lex, struct sh_arg *args, size_t n,
    struct sh_build *b, int features)
{
	struct sh_ctx		*ctx = lex->ctx;
	struct sh_cmd		*c;
	struct sh_heredoc	*h;
	const char		*w;
	size_t			 i;
	int			 idx;

	if (ctx->pub.ncmds >= SH_MAX_CMDS) {
		sh_problem(ctx, SH_TRUNCATED, "too many commands");
		return (-1);
	}
	if (ctx->pub.ncmds == ctx->cap) {
		ctx->cap = ctx->cap == 0 ? 8 : ctx->cap * 2;
		ctx->pub.cmds = xreallocarray(ctx->pub.cmds, ctx->cap,
		    sizeof *ctx->pub.cmds);
	}
	idx = (int)ctx->pub.ncmds++;
	c = &ctx->pub.cmds[idx];
	memset(c, 0, sizeof *c);
	c->depth = lex->depth;
	c->feeds = -1;
	c->argv = sh_alloc(ctx, (n + 1) * sizeof *c->argv);
	for (i = 0; i < n; i++)
		c->argv[i] = args[i].v;
	c->argc = n;
	if (n == 0)
		c->program = "";
	else if ((w = sh_which(&args[0])) != NULL) {
		c->program = sh_strndup(ctx, w, strcspn(w, ")`"));
		c->program = sh_basename(c->program);
	} else if (args[0].wf & W_EXPAND) {
		c->program = args[0].v;
		features |= SH_F_DYNAMIC;
	} else {
		c->program = sh_basename(args[0].v);
		if (args[0].wf & W_GLOB)
			features |= SH_F_GLOBPROG;
	}
	sh_options(ctx, c, (features & SH_F_GLOBPROG) != 0);
	if (b != NULL && b->nredirs != 0) {
		c->redirs = sh_alloc(ctx, b->nredirs * sizeof *c->redirs);
		memcpy(c->redirs, b->redirs, b->nredirs * sizeof *c->redirs);
		c->nredirs = b->nredirs;
		for (i = 0; i < b->nredirs; i++) {
			if (b->redirs[i].op == SH_R_HERESTRING)
				c->input = b->redirs[i].target;
			if (b->hdslot[i] < 0)
				continue;
			h = &lex->hd[b->hdslot[i]];
			if (h->body != NULL)
				c->input = h->body;
			else
				h->cmd = idx;
		}
	}
	sh_writes(ctx, c);
	c->features = features | lex->inherit;
	c->text = sh_text(ctx, c);
	return (idx);
}

/* Join args[from..n) with spaces, into the arena. */
static const char *
sh_join(struct sh_ctx *ctx, struct sh_arg *args, size_t from, size_t n,
    size_t *len)
{
	struct sbuf	 sb;
	const char	*r;
	size_t		 i;

	sbuf_init(&sb);
	for (i = from; i < n; i++) {
		if (i != from)
			sbuf_addc(&sb, ' ');
		sbuf_adds(&sb, args[i].v);
	}
	*len = sb.len;
	r = sh_strndup(ctx, sb.buf != NULL ? sb.buf : "", sb.len);
	sbuf_free(&sb);
	return (r);
}

/* The program a word names, or NULL when it is computed at run time. */
static const char *
sh_progname(struct sh_arg *a)
{
	if (a->wf & W_EXPAND)
		return (NULL);
	return (sh_basename(a->v));
}

/*
 * Skip a wrapper's options and leading operands; returns the index of the
 * command it runs (n: none).  *str is set when an option holds shell text.
 */
static size_t
sh_wrap_argv(struct sh_arg *args, size_t k, size_t n,
    const struct sh_wrapper *w, const char *name, const char **str)
{
	size_t		 i = k + 1, j;
	int		 skipped = 0;
	const char	*a;

	*str = NULL;
	while (i < n) {
		a = args[i].v;
		if (strcmp(a, "--") == 0)
			return (i + 1);
		if (a[0] == '-' && a[1] == '-') {
			if (strchr(a, '=') == NULL && sh_inlist(w->vallong,
			    a + 2))
				i++;
			i++;
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			if (strcmp(name, "command") == 0 && strpbrk(a, "vV"))
				return (n);	/* command -v: a lookup */
			for (j = 1; a[j] != '\0'; j++) {
				if (a[j] == w->strshort && w->strshort != 0) {
					if (a[j + 1] != '\0')
						*str = a + j + 1;
					else if (i + 1 < n)
						*str = args[i + 1].v;
					return (n);
				}
				if (strchr(w->valshort, a[j]) != NULL) {
					if (a[j + 1] == '\0')
						i++;
					break;
				}
			}
			i++;
			continue;
		}
		if (strcmp(name, "env") == 0 && a[0] != '=' &&
		    strchr(a, '=') != NULL) {
			i++;		/* env NAME=value */
			continue;
		}
		if (skipped < w->skip) {
			skipped++;
			i++;
			continue;
		}
		break;
	}
	return (i);
}

/* su [-] [user] -c TEXT; runuser -u user -- cmd.  Returns the text or NULL. */
static const char *
sh_wrap_su(struct sh_arg *args, size_t k, size_t n, const char *name,
    size_t *argvcmd)
{
	const char	*a;
	size_t		 i, j;

	*argvcmd = 0;
	for (i = k + 1; i < n; i++) {
		a = args[i].v;
		if (strcmp(a, "--command") == 0 && i + 1 < n)
			return (args[i + 1].v);
		if (strncmp(a, "--command=", 10) == 0)
			return (a + 10);
		if (a[0] != '-' || a[1] == '-' || a[1] == '\0')
			continue;
		for (j = 1; a[j] != '\0'; j++) {
			if (a[j] == 'c')
				return (a[j + 1] != '\0' ? a + j + 1 :
				    i + 1 < n ? args[i + 1].v : NULL);
			if (a[j] == 'u' && strcmp(name, "runuser") == 0) {
				/* runuser -u user [--] command args */
				i += a[j + 1] == '\0' ? 2 : 1;
				if (i < n && strcmp(args[i].v, "--") == 0)
					i++;
				*argvcmd = i;
				return (NULL);
			}
			if (strchr("gGsw", a[j]) != NULL) {
				if (a[j + 1] == '\0')
					i++;
				break;
			}
		}
	}
	return (NULL);
}

/* sh [options] [-c TEXT | script | (stdin)]: how a shell gets its commands. */
static size_t
sh_wrap_shell(struct sh_arg *args, size_t k, size_t n, bool *cflag,
    bool *sflag)
{
	const char	*a;
	size_t		 i, j;
	bool		 valued;

	*cflag = *sflag = false;
	for (i = k + 1; i < n; i++) {
		a = args[i].v;
		if (strcmp(a, "--") == 0 || strcmp(a, "-") == 0)
			return (i + 1);
		if ((a[0] != '-' && a[0] != '+') || a[1] == '\0')
			break;
		if (a[1] == '-') {
			if (sh_inlist("rcfile init-file", a + 2))
				i++;
			continue;
		}
		valued = false;
		for (j = 1; a[j] != '\0'; j++) {
			if (a[j] == 'c')
				*cflag = true;
			else if (a[j] == 's')
				*sflag = true;
			else if (a[j] == 'o' || a[j] == 'O')
				valued = true;
		}
		if (valued)
			i++;
	}
	return (i);
}

/* Is every find predicate one that selects no files (so {} is the path)? */
static bool
sh_find_unfiltered(const struct sh_cmd *c)
{
	char	name[32];
	size_t	i, len;

	for (i = 0; i < c->nflags; i++) {
		len = strcspn(c->flags[i], "=");
		if (len > 31)
			return (false);
		memcpy(name, c->flags[i], len);
		name[len] = '\0';
		if (!sh_inlist("delete print print0 depth xdev mount exec "
		    "execdir ok okdir ls H L P maxdepth mindepth follow noleaf "
		    "ignore_readdir_race daystart", name))
			return (false);
	}
	return (true);
}

/* find ... -exec cmd {} ; -exec ... +: each command is run for the files. */
static void
sh_find_exec(struct sh_lex *lex, struct sh_arg *args, size_t n, int idx,
    int features, int hops)
{
	struct sh_ctx	*ctx = lex->ctx;
	struct sh_arg	*seg;
	const char	*path = NULL, *prog;
	size_t		 i, j, e;

	if (idx >= 0 && sh_find_unfiltered(&ctx->pub.cmds[idx]) &&
	    ctx->pub.cmds[idx].noperands != 0)
		path = ctx->pub.cmds[idx].operands[0];
	for (i = 1; i < n; i++) {
		if (!sh_inlist("-exec -execdir -ok -okdir", args[i].v))
			continue;
		for (e = i + 1; e < n && strcmp(args[e].v, ";") != 0 &&
		    strcmp(args[e].v, "+") != 0; e++)
			;
		seg = xreallocarray(NULL, e - i, sizeof *seg);
		for (j = i + 1; j < e; j++) {
			seg[j - i - 1] = args[j];
			if (path != NULL && strcmp(args[j].v, "{}") == 0)
				seg[j - i - 1].v = path;
		}
		sh_command(lex, seg, e - i - 1, NULL, features |
		    SH_F_MOREARGS, hops + 1, &prog);
		free(seg);
		i = e;
	}
}

/* kubectl exec POD -- cmd; docker exec [opts] CONTAINER cmd; docker run. */
static void
sh_container_exec(struct sh_lex *lex, struct sh_arg *args, size_t n,
    const char *name, int features, int hops)
{
	const char	*prog, *a, *valshort, *vallong;
	size_t		 i, j;
	bool		 run;

	for (i = 1; i < n; i++) {
		if (strcmp(args[i].v, "exec") == 0 ||
		    strcmp(args[i].v, "run") == 0)
			break;
		if (args[i].v[0] != '-')
			return;		/* another subcommand */
	}
	if (i >= n)
		return;
	run = strcmp(args[i].v, "run") == 0;
	if (*name == 'k' || *name == 'o') {
		if (run)
			return;
		for (; i < n && strcmp(args[i].v, "--") != 0; i++)
			;
		i++;
	} else {
		valshort = run ? "ehlmpuvwc" : "euw";
		vallong = run ? "name network env volume publish user workdir "
		    "memory cpus hostname label entrypoint mount env-file "
		    "restart add-host dns log-driver log-opt platform pull "
		    "cpu-shares device security-opt cap-add cap-drop ulimit "
		    "tmpfs" : "env env-file user workdir detach-keys";
		for (i++; i < n; i++) {
			a = args[i].v;
			if (strcmp(a, "--") == 0) {
				i++;
				break;
			}
			if (a[0] != '-')
				break;
			if (a[1] == '-') {
				if (strchr(a, '=') == NULL &&
				    sh_inlist(vallong, a + 2))
					i++;
				continue;
			}
			for (j = 1; a[j] != '\0'; j++) {
				if (strchr(valshort, a[j]) != NULL) {
					if (a[j + 1] == '\0')
						i++;
					break;
				}
			}
		}
		i++;		/* the container or image */
	}
	if (i < n)
		sh_command(lex, args + i, n - i, NULL, features | SH_F_REMOTE,
		    hops + 1, &prog);
}

/*
 * Look through wrappers to the command that runs, parse any shell text
 * they run, and emit what is left.  Returns the index emitted or -1; *prog
 * is the program that runs (for pipes and substitutions feeding it).
 */
static int
sh_command(struct sh_lex *lex, struct sh_arg *args, size_t n,
    struct sh_build *b, int features, int hops, const char **prog)
{
	struct sh_ctx			*ctx = lex->ctx;
	const struct sh_wrapper		*w;
	const char			*name, *str, *text;
	size_t				 k = 0, i, len;
	int				 idx, f;
	bool				 cflag, sflag, redirs;

	redirs = b != NULL && b->nredirs != 0;
	*prog = "";
	for (; k < n && hops < SH_MAX_HOPS && !ctx->stop; hops++) {
		name = sh_progname(&args[k]);
		if (name == NULL || (w = sh_wrapper(name)) == NULL)
			break;
		*prog = name;
		f = features | w->features;
		switch (w->kind) {
		case WR_ARGV:
			i = sh_wrap_argv(args, k, n, w, name, &str);
			if (str != NULL) {
				sh_reparse(lex, sh_strdup(ctx, str),
				    strlen(str), f);
				return (redirs ? sh_emit(lex, args + k, n - k,
				    b, f) : -1);
			}
			if (i >= n)
				goto emit;
			if (strcmp(name, "xargs") == 0)
				f |= SH_FI_XARGS;
			features = f;
			k = i;
			continue;
		case WR_SU:
			str = sh_wrap_su(args, k, n, name, &i);
			if (i != 0 && i < n) {
				features = f;
				k = i;
				continue;
			}
			if (str == NULL) {
				features = f;
				goto emit;
			}
			sh_reparse(lex, sh_strdup(ctx, str), strlen(str), f);
			return (redirs ? sh_emit(lex, args + k, n - k, b, f) :
			    -1);
		case WR_SHELL:
			i = sh_wrap_shell(args, k, n, &cflag, &sflag);
			if (cflag && i < n) {
				sh_reparse(lex, args[i].v, strlen(args[i].v),
				    f);
				return (redirs ? sh_emit(lex, args + k, n - k,
				    b, f) : -1);
			}
			if (i >= n || sflag)
				features |= SH_F_STDINCODE;
			goto emit;
		case WR_EVAL:
			text = sh_join(ctx, args, k + 1, n, &len);
			sh_reparse(lex, text, len, f);
			return (redirs ? sh_emit(lex, args + k, n - k, b, f) :
			    -1);
		case WR_WATCH:
			sflag = false;	/* -x: the rest is argv, not text */
			for (i = k + 1; i < n && args[i].v[0] == '-'; i++) {
				if (strcmp(args[i].v, "--exec") == 0 ||
				    (args[i].v[1] != '-' &&
				    strchr(args[i].v, 'x') != NULL))
					sflag = true;
				if (sh_inlist("-n -q --interval --equexit",
				    args[i].v))
					i++;
			}
			if (i >= n)
				goto emit;
			if (sflag) {
				k = i;
				continue;
			}
			text = sh_join(ctx, args, i, n, &len);
			sh_reparse(lex, text, len, f);
			return (-1);
		case WR_SSH:
			idx = sh_emit(lex, args + k, n - k, b, features);
			if (idx >= 0 && ctx->pub.cmds[idx].noperands > 1) {
				text = sh_join(ctx, args, n - (ctx->pub.cmds[
				    idx].noperands - 1), n, &len);
				sh_reparse(lex, text, len, f);
			}
			return (idx);
		case WR_FIND:
			idx = sh_emit(lex, args + k, n - k, b, features);
			sh_find_exec(lex, args + k, n - k, idx, features, hops);
			return (idx);
		case WR_EXEC:
			idx = sh_emit(lex, args + k, n - k, b, features);
			sh_container_exec(lex, args + k, n - k, name, features,
			    hops);
			return (idx);
		case WR_TRAP:
			idx = sh_emit(lex, args + k, n - k, b, features);
			if (k + 1 < n && args[k + 1].v[0] != '-')
				sh_reparse(lex, args[k + 1].v,
				    strlen(args[k + 1].v), features);
			return (idx);
		case WR_ALIAS:
			idx = sh_emit(lex, args + k, n - k, b, features);
			for (i = k + 1; i < n; i++) {
				if ((str = strchr(args[i].v, '=')) != NULL)
					sh_reparse(lex, str + 1, strlen(str + 1),
					    features);
			}
			return (idx);
		case WR_STDIN:
			features |= SH_F_STDINCODE;
			goto emit;
		}
	}
emit:
	idx = sh_emit(lex, k < n ? args + k : NULL, n - k, b, features);
	if (idx >= 0)
		*prog = ctx->pub.cmds[idx].program;
	return (idx);
}

/* Parse len bytes of line: never fails, never runs anything. */
struct sh_parse *
shparse(const char *line, size_t len)
{
	struct sh_ctx	*ctx;
	struct sh_lex	 lex;
	char		*text;
	size_t		 i;

	ctx = xcalloc(1, sizeof *ctx);
	if (line == NULL)
		len = 0;
	if (len > SH_MAX_INPUT) {
		len = SH_MAX_INPUT;
		sh_problem(ctx, SH_TRUNCATED, "the line is too long");
		ctx->stop = false;
	}
	text = sh_strndup(ctx, line != NULL ? line : "", len);
	for (i = 0; i < len; i++) {
		if (text[i] == '\0')
			text[i] = ' ';
	}
	sh_lex_init(&lex, ctx, text, len, 0, 0);
	sh_list(&lex, 0);
	sbuf_free(&lex.buf);
	for (i = 0; i < ctx->pub.ncmds; i++)
		ctx->pub.cmds[i].features &= SH_FI_MASK;
	return (&ctx->pub);
}

/* Free a result and everything it points to. */
void
shparse_free(struct sh_parse *p)
{
	struct sh_ctx	*ctx = (struct sh_ctx *)p;
	struct sh_chunk	*c, *next;

	if (p == NULL)
		return;
	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(p->cmds);
	free(ctx);
}
