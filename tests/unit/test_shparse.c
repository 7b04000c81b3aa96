/*
 * test_shparse.c: the shell-line parser on its own: what runs (programs,
 * unwrapped and unquoted), normalised options, features, redirections,
 * here-documents, pipes, what cannot be parsed, and the limits that keep
 * any input bounded (deep nesting, many commands, long lines, garbage).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv.h"
#include "shparse.h"

/* Parse a C string. */
static struct sh_parse *
t_parse(const char *line)
{
	return (shparse(line, strlen(line)));
}

/* The programs found, space-separated ("-" for a bare redirection). */
static char *
t_progs(const struct sh_parse *p)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	for (i = 0; i < p->ncmds; i++) {
		if (i != 0)
			sbuf_addc(&sb, ' ');
		sbuf_adds(&sb, *p->cmds[i].program != '\0' ?
		    p->cmds[i].program : "-");
	}
	return (sbuf_steal(&sb));
}

/* A string list joined by commas. */
static char *
t_join(const char **v, size_t n)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	for (i = 0; i < n; i++) {
		if (i != 0)
			sbuf_addc(&sb, ',');
		sbuf_adds(&sb, v[i]);
	}
	return (sbuf_steal(&sb));
}

/* Each line yields exactly these programs, in this order. */
static void
test_programs(void **state)
{
	static const char	*cases[][2] = {
		{ "ls -la", "ls" },
		{ "r\\m -rf /", "rm" },
		{ "'r'm x", "rm" },
		{ "\"rm\" x", "rm" },
		{ "r\"\"m x", "rm" },
		{ "$'\\x72m' x", "rm" },
		{ "$'\\162\\155' x", "rm" },
		{ "$'r\\u006d' x", "rm" },
		{ "/usr/bin/rm x", "rm" },
		{ "\\rm x", "rm" },
		{ "$(which rm) x", "which rm" },
		{ "sudo -u root -- rm x", "rm" },
		{ "sudo -E -H rm x", "rm" },
		{ "env -i FOO=1 BAR=2 rm x", "rm" },
		{ "nice -n 10 rm x", "rm" },
		{ "nice -10 rm x", "rm" },
		{ "nohup rm x &", "rm" },
		{ "timeout 5 rm x", "rm" },
		{ "timeout -k 1 -s KILL 5s rm x", "rm" },
		{ "time -p rm x", "rm" },
		{ "command -p rm x", "rm" },
		{ "command -v rm", "command" },
		{ "exec -a name rm x", "rm" },
		{ "xargs -0 -n1 rm", "rm" },
		{ "watch -n1 rm x", "rm" },
		{ "watch -n 1 'df -h; rm x'", "df rm" },
		{ "watch -x rm x", "rm" },
		{ "stdbuf -oL rm x", "rm" },
		{ "ionice -c3 rm x", "rm" },
		{ "ionice -c 2 -n 7 rm x", "rm" },
		{ "sudo nice ionice -c3 env A=1 timeout 9 rm x", "rm" },
		{ "bash -c 'ls; rm x'", "ls rm" },
		{ "sh -ec \"rm x\"", "rm" },
		{ "bash -o pipefail -c 'rm x'", "rm" },
		{ "su -c 'rm x'", "rm" },
		{ "su - root -c 'rm x'", "rm" },
		{ "su -", "su" },
		{ "runuser -u app -- rm x", "rm" },
		{ "eval 'rm x'", "rm" },
		{ "eval rm x", "rm" },
		{ "ssh -p 22 web1 rm x", "ssh rm" },
		{ "ssh web1 'sudo systemctl stop nginx'", "ssh systemctl" },
		{ "kubectl exec -it pod -- rm x", "kubectl rm" },
		{ "docker exec -u root web rm x", "docker rm" },
		{ "find . -name '*.o' -exec rm {} \\;", "find rm" },
		{ "find . -exec rm {} + -exec ls {} \\;", "find rm ls" },
		{ "echo $(rm x)", "rm echo" },
		{ "echo `rm x`", "rm echo" },
		{ "echo \"$(rm x)\"", "rm echo" },
		{ "cat <(rm x) >(ls)", "rm ls cat" },
		{ "X=$(rm x)", "rm" },
		{ "FOO=1 rm x", "rm" },
		{ "a | b |& c", "a b c" },
		{ "a && b || c; d & e", "a b c d e" },
		{ "if a; then b; elif c; then d; else e; fi", "a b c d e" },
		{ "while a; do b; done", "a b" },
		{ "for f in $(ls); do rm \"$f\"; done", "ls rm" },
		{ "case $x in a|b) c ;; *) d ;; esac", "c d" },
		{ "(a; b) | c", "a b c" },
		{ "{ a; b; } > out", "a b -" },
		{ "f() { a; }; f", "a f" },
		{ "function g { a; }", "a" },
		{ "[[ -f x ]] && rm x", "rm" },
		{ "(( i++ )) && rm x", "rm" },
		{ "echo $((1 + $(rm x)))", "rm echo" },
		{ "ls \"${X:-$(rm x)}\"", "rm ls" },
		{ "a=(x $(rm y) z)", "rm" },
		{ "> /tmp/x", "-" },
		{ "trap 'rm x' EXIT", "trap rm" },
		{ "alias ll='ls -l'", "alias ls" },
		{ "echo 'rm x' | sh", "echo sh rm" },
		{ "sh <<< 'rm x'", "sh rm" },
		{ "bash <<EOF\nrm x\nEOF", "bash rm" },
		{ "cat <<EOF\n$(rm x)\nEOF", "rm cat" },
		{ "cat <<'EOF'\n$(rm x)\nEOF", "cat" },
		{ "ls # rm x", "ls" },
		{ "ls\nrm x", "ls rm" },
		{ "ls \\\n -l", "ls" },
		{ "", "" },
	};
	struct sh_parse		*p;
	char			*got;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = t_parse(cases[i][0]);
		got = t_progs(p);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("'%s': want '%s', got '%s'", cases[i][0],
			    cases[i][1], got);
		free(got);
		shparse_free(p);
	}
}

/* Options are normalised per program: flags, then operands. */
static void
test_flags(void **state)
{
	static const char	*cases[][3] = {
		{ "rm -rf x", "recursive,force", "x" },
		{ "rm -r -f x", "recursive,force", "x" },
		{ "rm --recursive --force x", "recursive,force", "x" },
		{ "rm -fR x", "force,recursive", "x" },
		{ "rm x -rf", "recursive,force", "x" },
		{ "rm -- -rf", "", "-rf" },
		{ "kill -9 42", "signal=KILL", "42" },
		{ "kill -KILL 42", "signal=KILL", "42" },
		{ "kill -SIGKILL 42", "signal=KILL", "42" },
		{ "kill -s kill 42", "signal=KILL", "42" },
		{ "kill --signal=9 42", "signal=KILL", "42" },
		{ "kill -9 -1", "signal=KILL", "-1" },
		{ "kill 42", "", "42" },
		{ "pkill -9 java", "signal=KILL", "java" },
		{ "killall -s HUP nginx", "signal=HUP", "nginx" },
		{ "sed -i.bak -e s/a/b/ f", "in-place=.bak,expression=s/a/b/",
		  "f" },
		{ "sed -n 1p f", "quiet", "1p,f" },
		{ "mysql -uroot -psecret -e 'DROP x'",
		  "user=root,password=secret,execute=DROP x", "" },
		{ "mysql -p -e x", "password,execute=x", "" },
		{ "chmod -x file", "", "-x,file" },
		{ "chmod -R 755 d", "recursive", "755,d" },
		{ "find / -name x -delete", "name=x,delete", "/" },
		{ "find -L . -type f -exec rm {} ;", "L,type=f,exec", "." },
		{ "git -C /repo push -f origin", "C=/repo,force", "push,origin" },
		{ "git branch -D topic", "delete,force", "branch,topic" },
		{ "systemctl --now enable x", "now", "enable,x" },
		{ "kubectl -n prod delete pod x", "namespace=prod",
		  "delete,pod,x" },
		{ "kubectl delete pods --all -A", "all,all-namespaces",
		  "delete,pods" },
		{ "iptables -t nat -F", "table=nat,flush", "" },
		{ "curl -o /tmp/x -s u", "output=/tmp/x,s", "u" },
		{ "dd if=a of=b", "", "if=a,of=b" },
		{ "echo -n -rf /", "", "-n,-rf,/" },
		{ "ssh -p 22 h rm -rf /", "p=22", "h,rm,-rf,/" },
		{ "frob -abc --long=v --flag x", "a,b,c,long=v,flag", "x" },
	};
	struct sh_parse		*p;
	char			*flags, *ops;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = t_parse(cases[i][0]);
		assert_true(p->ncmds >= 1);
		flags = t_join(p->cmds[0].flags, p->cmds[0].nflags);
		ops = t_join(p->cmds[0].operands, p->cmds[0].noperands);
		if (strcmp(flags, cases[i][1]) != 0 ||
		    strcmp(ops, cases[i][2]) != 0)
			fail_msg("'%s': want flags '%s' operands '%s', got "
			    "'%s' '%s'", cases[i][0], cases[i][1], cases[i][2],
			    flags, ops);
		free(flags);
		free(ops);
		shparse_free(p);
	}
}

/* Features: command index and the bits it must have. */
static void
test_features(void **state)
{
	static const struct {
		const char	*line;
		size_t		 cmd;
		int		 want;
	} cases[] = {
		{ "nohup rm x &", 0, SH_F_BACKGROUND },
		{ "sudo rm x", 0, SH_F_ELEVATED },
		{ "su -c 'rm x'", 0, SH_F_ELEVATED },
		{ "doas sh -c 'rm x'", 0, SH_F_ELEVATED },
		{ "ssh h rm x", 1, SH_F_REMOTE },
		{ "ssh h sudo rm x", 1, SH_F_REMOTE | SH_F_ELEVATED },
		{ "kubectl exec p -- rm x", 1, SH_F_REMOTE },
		{ "$X -rf /", 0, SH_F_DYNAMIC },
		{ "\"$(echo rm)\" x", 1, SH_F_DYNAMIC },
		{ "xargs rm", 0, SH_F_MOREARGS },
		{ "find . -exec rm {} +", 1, SH_F_MOREARGS },
		{ ":(){ :|:& };:", 0, SH_F_FORKBOMB | SH_F_FUNCTION },
		{ "echo $(rm x)", 0, SH_F_SUBST },
		{ "echo x | bash", 1, SH_F_STDINCODE },
		{ "bash -s < x", 0, SH_F_STDINCODE },
		{ "f() { rm x; }", 0, SH_F_FUNCTION },
		{ "curl u | sh", 0, SH_F_TOSHELL },
		{ "/bin/r? x", 0, SH_F_GLOBPROG },
	};
	struct sh_parse		*p;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = t_parse(cases[i].line);
		if (cases[i].cmd >= p->ncmds ||
		    (p->cmds[cases[i].cmd].features & cases[i].want) !=
		    cases[i].want)
			fail_msg("'%s': command %zu lacks features %#x (has "
			    "%#x)", cases[i].line, cases[i].cmd, cases[i].want,
			    cases[i].cmd < p->ncmds ?
			    p->cmds[cases[i].cmd].features : 0);
		shparse_free(p);
	}
	/* Data is not a command: echo's words raise nothing. */
	p = t_parse("echo rm -rf /");
	assert_int_equal(p->ncmds, 1);
	assert_int_equal(p->cmds[0].features, 0);
	shparse_free(p);
	/* A fork bomb needs the pipe or the background. */
	p = t_parse("f() { f; }; f");
	assert_int_equal(p->cmds[0].features & SH_F_FORKBOMB, 0);
	shparse_free(p);
}

/* Redirections: operators, descriptors, targets; writes and input. */
static void
test_redirections(void **state)
{
	struct sh_parse		*p;
	const struct sh_cmd	*c;
	char			*w;

	(void)state;
	p = t_parse("cmd > a 2>> b &> c < d 3<&0 <<< 'some text' >| e "
	    "1>&2 >&f");
	assert_int_equal(p->status, 0);
	c = &p->cmds[0];
	assert_int_equal(c->nredirs, 9);
	assert_int_equal(c->redirs[0].op, SH_R_OUT);
	assert_int_equal(c->redirs[0].fd, 1);
	assert_int_equal(c->redirs[1].op, SH_R_APPEND);
	assert_int_equal(c->redirs[1].fd, 2);
	assert_int_equal(c->redirs[2].fd, -1);
	assert_int_equal(c->redirs[3].op, SH_R_IN);
	assert_int_equal(c->redirs[4].op, SH_R_DUP);
	assert_int_equal(c->redirs[4].fd, 3);
	assert_int_equal(c->redirs[5].op, SH_R_HERESTRING);
	assert_string_equal(c->redirs[5].target, "some text");
	assert_int_equal(c->redirs[7].op, SH_R_DUP);
	assert_int_equal(c->redirs[8].op, SH_R_OUT);	/* >&f is &>f */
	assert_int_equal(c->redirs[8].fd, -1);
	w = t_join(c->writes, c->nwrites);
	assert_string_equal(w, "a,b,c,e,f");
	free(w);
	assert_string_equal(c->input, "some text");
	assert_string_equal(c->text, "cmd >a 2>>b &>c <d 3>&0 <<<'some text' "
	    ">e >&2 &>f");
	shparse_free(p);

	/* Paths written are made plain; tee, dd, cp and mv write too. */
	p = t_parse("echo x > //dev/./sda; tee -a /etc/x /tmp/y; "
	    "dd if=a of=/dev/sdb/; cp a b /srv/; mv -t /opt a b");
	w = t_join(p->cmds[0].writes, p->cmds[0].nwrites);
	assert_string_equal(w, "/dev/sda");
	free(w);
	w = t_join(p->cmds[1].writes, p->cmds[1].nwrites);
	assert_string_equal(w, "/etc/x,/tmp/y");
	free(w);
	assert_string_equal(p->cmds[2].writes[0], "/dev/sdb");
	assert_string_equal(p->cmds[3].writes[0], "/srv");
	assert_string_equal(p->cmds[4].writes[0], "/opt");
	shparse_free(p);
}

/* Here-documents: the body is standard input; <<- strips tabs. */
static void
test_heredoc(void **state)
{
	struct sh_parse	*p;

	(void)state;
	p = t_parse("cat <<EOF\nline 1\n  line 2\nEOF\nls");
	assert_int_equal(p->status, 0);
	assert_int_equal(p->ncmds, 2);
	assert_string_equal(p->cmds[0].input, "line 1\n  line 2\n");
	assert_string_equal(p->cmds[0].redirs[0].target, "EOF");
	assert_string_equal(p->cmds[1].program, "ls");
	shparse_free(p);

	p = t_parse("cat <<-\"END\"\n\tindented $(not run)\n\tEND\n");
	assert_int_equal(p->status, 0);
	assert_int_equal(p->ncmds, 1);
	assert_string_equal(p->cmds[0].input, "indented $(not run)\n");
	shparse_free(p);

	/* Two here-documents on one line, read in order. */
	p = t_parse("a <<X; b <<Y\nx body\nX\ny body\nY");
	assert_int_equal(p->ncmds, 2);
	assert_string_equal(p->cmds[0].input, "x body\n");
	assert_string_equal(p->cmds[1].input, "y body\n");
	shparse_free(p);

	/* Unterminated. */
	p = t_parse("cat <<EOF\nno end");
	assert_true(p->status & SH_UNPARSED);
	assert_string_equal(p->why, "unterminated here-document");
	assert_string_equal(p->cmds[0].input, "no end\n");
	shparse_free(p);
}

/* Pipes and substitutions record who reads whose output. */
static void
test_feeds(void **state)
{
	struct sh_parse	*p;

	(void)state;
	p = t_parse("a | sudo b | c; d");
	assert_int_equal(p->ncmds, 4);
	assert_string_equal(p->cmds[0].feeds_to, "b");
	assert_int_equal(p->cmds[0].feeds, 1);
	assert_string_equal(p->cmds[1].feeds_to, "c");
	assert_int_equal(p->cmds[1].feeds, 2);
	assert_null(p->cmds[2].feeds_to);
	assert_int_equal(p->cmds[2].feeds, -1);
	assert_null(p->cmds[3].feeds_to);
	shparse_free(p);

	p = t_parse("bash -c \"$(curl -s u | base64 -d)\"");
	assert_string_equal(p->cmds[0].program, "curl");
	assert_string_equal(p->cmds[0].feeds_to, "base64");
	assert_string_equal(p->cmds[1].program, "base64");
	assert_string_equal(p->cmds[1].feeds_to, "bash");
	assert_true(p->cmds[1].features & SH_F_TOSHELL);
	shparse_free(p);

	/* echo's words become the next command's input. */
	p = t_parse("echo / | xargs rm -rf");
	assert_string_equal(p->cmds[1].program, "rm");
	assert_string_equal(p->cmds[1].input, "/");
	assert_int_equal(p->cmds[1].noperands, 1);
	assert_string_equal(p->cmds[1].operands[0], "/");
	shparse_free(p);
}

/* What cannot be parsed says why, and what could be is still there. */
static void
test_unparsed(void **state)
{
	static const char	*cases[][2] = {
		{ "ls \"x", "unbalanced quote" },
		{ "ls 'x", "unbalanced quote" },
		{ "ls $'x", "unbalanced quote" },
		{ "echo $(ls", "unbalanced parenthesis" },
		{ "echo `ls", "unbalanced backquote" },
		{ "echo ${x", "unbalanced brace" },
		{ "( ls", "unbalanced parenthesis" },
		{ "ls )", "unbalanced parenthesis" },
		{ "{ ls", "unbalanced brace" },
		{ "ls &&", "the line ends with an operator" },
		{ "ls |", "the line ends with an operator" },
		{ "&& ls", "an operator without a command" },
		{ "ls | | wc", "| without a command" },
		{ "ls >", "redirection without a target" },
		{ "cat <<EOF", "unterminated here-document" },
		{ "[[ -f x", "unterminated [[" },
		{ "case x in a) ls ;;", "unterminated case" },
	};
	struct sh_parse		*p;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = t_parse(cases[i][0]);
		if (!(p->status & SH_UNPARSED) || p->why == NULL ||
		    strcmp(p->why, cases[i][1]) != 0)
			fail_msg("'%s': want '%s', got status %d '%s'",
			    cases[i][0], cases[i][1], p->status,
			    p->why != NULL ? p->why : "");
		shparse_free(p);
	}
	p = t_parse("ls | wc -l && (cd /; ls) || { echo $(date); }");
	assert_int_equal(p->status, 0);
	assert_null(p->why);
	shparse_free(p);
}

/* Check the promises of a result, whatever the input. */
static void
t_invariants(const struct sh_parse *p, const char *what)
{
	const struct sh_cmd	*c;
	size_t			 i, j;

	if (p->ncmds > SH_MAX_CMDS || (p->status != 0) != (p->why != NULL))
		fail_msg("%s: %zu commands, status %d", what, p->ncmds,
		    p->status);
	for (i = 0; i < p->ncmds; i++) {
		c = &p->cmds[i];
		if (c->program == NULL || c->text == NULL || c->argv == NULL ||
		    c->argv[c->argc] != NULL || c->depth < 0 ||
		    c->depth > SH_MAX_DEPTH || c->argc > SH_MAX_WORDS + 64 ||
		    (c->feeds >= 0 && (size_t)c->feeds >= p->ncmds) ||
		    (c->features & ~((1 << SH_F_COUNT) - 1)) != 0)
			fail_msg("%s: command %zu broken", what, i);
		for (j = 0; j < c->nflags; j++)
			assert_non_null(c->flags[j]);
		for (j = 0; j < c->noperands; j++)
			assert_non_null(c->operands[j]);
		for (j = 0; j < c->nwrites; j++)
			assert_non_null(c->writes[j]);
		for (j = 0; j < c->nredirs; j++)
			assert_non_null(c->redirs[j].target);
	}
}

/* Deep nesting, many commands, long lines: bounded, flagged, quick. */
static void
test_limits(void **state)
{
	struct sh_parse	*p;
	struct sbuf	 sb;
	int		 i;

	(void)state;
	/* $( nested far beyond the cap. */
	sbuf_init(&sb);
	for (i = 0; i < 5000; i++)
		sbuf_adds(&sb, "$(");
	sbuf_adds(&sb, "rm x");
	for (i = 0; i < 5000; i++)
		sbuf_addc(&sb, ')');
	p = shparse(sb.buf, sb.len);
	assert_true(p->status & SH_TOODEEP);
	t_invariants(p, "deep $(");
	shparse_free(p);
	sbuf_free(&sb);

	/* bash -c inside bash -c, twelve deep: the inner ones are not read. */
	p = t_parse("bash -c \"bash -c 'bash -c \\\"bash -c \\\\\\\"eval "
	    "eval eval eval eval eval eval eval eval rm x\\\\\\\"\\\"'\"");
	assert_true(p->status & SH_TOODEEP);
	t_invariants(p, "deep bash -c");
	shparse_free(p);

	/* Quotes and ${ inside each other. */
	sbuf_init(&sb);
	for (i = 0; i < 3000; i++)
		sbuf_adds(&sb, "\"${x:-");
	p = shparse(sb.buf, sb.len);
	assert_true(p->status != 0);
	shparse_free(p);
	sbuf_free(&sb);

	/* More commands than the cap. */
	sbuf_init(&sb);
	for (i = 0; i < SH_MAX_CMDS + 50; i++)
		sbuf_adds(&sb, "ls; ");
	p = shparse(sb.buf, sb.len);
	assert_int_equal(p->ncmds, SH_MAX_CMDS);
	assert_true(p->status & SH_TRUNCATED);
	assert_string_equal(p->why, "too many commands");
	shparse_free(p);
	sbuf_free(&sb);

	/* More words than the cap, and a line longer than looked at. */
	sbuf_init(&sb);
	sbuf_adds(&sb, "echo");
	while (sb.len < SH_MAX_INPUT + 100)
		sbuf_adds(&sb, " w");
	p = shparse(sb.buf, sb.len);
	assert_true(p->status & SH_TRUNCATED);
	assert_int_equal(p->ncmds, 1);
	assert_int_equal(p->cmds[0].argc, SH_MAX_WORDS);
	shparse_free(p);
	sbuf_free(&sb);

	/* NUL bytes are blanks. */
	p = shparse("rm\0-rf\0/", 8);
	assert_int_equal(p->ncmds, 1);
	assert_int_equal(p->cmds[0].argc, 3);
	shparse_free(p);
	p = shparse(NULL, 10);
	assert_int_equal(p->ncmds, 0);
	shparse_free(p);
	shparse_free(NULL);
}

/* Random bytes and random shell-like text: always a sound result. */
static void
test_random(void **state)
{
	static const char	*alphabet = "ab rm-f/$()`'\"\\;&|<>{}[]*?=#!\n\t"
	    "xcEOF<<";
	char			 buf[512];
	uint32_t		 seed = 12345;
	size_t			 n, j;
	int			 i;
	struct sh_parse		*p;

	(void)state;
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % sizeof buf;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = (i & 1) ? (char)(seed >> 16) :
			    alphabet[(seed >> 16) % strlen(alphabet)];
		}
		p = shparse(buf, n);
		t_invariants(p, "random");
		shparse_free(p);
	}
}

/* Absolute paths are made lexically plain. */
static void
test_normpath(void **state)
{
	static const char	*cases[][2] = {
		{ "/", "/" }, { "//", "/" }, { "/./", "/" }, { "/usr/..", "/" },
		{ "/usr/../..", "/" }, { "/etc/", "/etc" },
		{ "//etc//passwd", "/etc/passwd" }, { "/a/./b/../c", "/a/c" },
		{ "rel/../x", "rel/../x" }, { "", "" }, { "/*", "/*" },
	};
	char			 out[64];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		shparse_normpath(cases[i][0], out, sizeof out);
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("'%s': want '%s', got '%s'", cases[i][0],
			    cases[i][1], out);
	}
	shparse_normpath("/very/long/path/name", out, 8);
	assert_true(strlen(out) < 8);
}

/* Feature names go both ways. */
static void
test_feature_names(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < SH_F_COUNT; i++) {
		assert_non_null(shparse_feature_name(1 << i));
		assert_int_equal(shparse_feature_parse(
		    shparse_feature_name(1 << i)), 1 << i);
	}
	assert_string_equal(shparse_feature_name(SH_F_FORKBOMB), "fork-bomb");
	assert_null(shparse_feature_name(3));
	assert_int_equal(shparse_feature_parse("nope"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_redirections),
		cmocka_unit_test(test_heredoc),
		cmocka_unit_test(test_feeds),
		cmocka_unit_test(test_unparsed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_normpath),
		cmocka_unit_test(test_feature_names),
	};

	return (cmocka_run_group_tests_name("shparse", tests, NULL, NULL));
}
