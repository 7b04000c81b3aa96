/* test_sidebar.c: the sidebar model on a hand-built server tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sidebar.h"

struct tree {
	struct omv_config	 cfg;
	struct server_group	*all[64];
	size_t			 ngroups;
};

static struct server_group *
add_group(struct tree *t, struct server_group *parent, const char *name)
{
	struct server_group	*g;

	g = xcalloc(1, sizeof *g);
	g->name = xstrdup(name);
	g->parent = parent;
	if (parent != NULL) {
		g->path = parent->path[0] == '\0' ? xstrdup(name) :
		    xprintf("%s/%s", parent->path, name);
		parent->groups = xreallocarray(parent->groups,
		    parent->ngroups + 1, sizeof *parent->groups);
		parent->groups[parent->ngroups++] = g;
	} else
		g->path = xstrdup("");
	t->all[t->ngroups++] = g;
	return (g);
}

static void
add_server(struct tree *t, struct server_group *g, const char *name,
    enum env env, const char *tag)
{
	struct server	*s;

	s = xcalloc(1, sizeof *s);
	s->name = xstrdup(name);
	s->env = env;
	if (tag != NULL) {
		s->tags = xcalloc(1, sizeof *s->tags);
		s->tags[0] = xstrdup(tag);
		s->ntags = 1;
	}
	s->index = t->cfg.nservers;
	t->cfg.servers = xreallocarray(t->cfg.servers, t->cfg.nservers + 1,
	    sizeof *t->cfg.servers);
	t->cfg.servers[t->cfg.nservers++] = s;
	g->servers = xreallocarray(g->servers, g->nservers + 1,
	    sizeof *g->servers);
	g->servers[g->nservers++] = s;
}

static void
free_tree(struct tree *t)
{
	size_t	i;

	for (i = 0; i < t->cfg.nservers; i++) {
		free(t->cfg.servers[i]->name);
		strv_free(t->cfg.servers[i]->tags, t->cfg.servers[i]->ntags);
		free(t->cfg.servers[i]);
	}
	free(t->cfg.servers);
	for (i = 0; i < t->ngroups; i++) {
		free(t->all[i]->name);
		free(t->all[i]->path);
		free(t->all[i]->groups);
		free(t->all[i]->servers);
		free(t->all[i]);
	}
}

/* production{web{web-1,web-2}, db-1}, staging{stg-1}, development{dev-1} */
static void
build(struct tree *t)
{
	struct server_group	*prod, *web, *stg, *dev;

	memset(t, 0, sizeof *t);
	t->cfg.root = add_group(t, NULL, "");
	prod = add_group(t, t->cfg.root, "production");
	web = add_group(t, prod, "web");
	stg = add_group(t, t->cfg.root, "staging");
	dev = add_group(t, t->cfg.root, "development");
	add_server(t, prod, "db-1", ENV_PRODUCTION, "db");
	add_server(t, web, "web-1", ENV_PRODUCTION, "nginx");
	add_server(t, web, "web-2", ENV_PRODUCTION, "nginx");
	add_server(t, stg, "stg-1", ENV_STAGING, "nginx");
	add_server(t, dev, "dev-1", ENV_DEVELOPMENT, NULL);
}

/* Render the rows as "G:name" / "S:name" joined by spaces. */
static char *
render(const struct sidebar *sb)
{
	struct sbuf			 out;
	const struct sidebar_row	*r;
	size_t				 i;

	sbuf_init(&out);
	for (i = 0; i < sidebar_rows(sb); i++) {
		r = sidebar_row(sb, i);
		if (i != 0)
			sbuf_addc(&out, ' ');
		if (r->kind == SIDEBAR_GROUP)
			sbuf_addf(&out, "G%d:%s(%zu)", r->depth, r->group->name,
			    r->count);
		else
			sbuf_addf(&out, "S%d:%s", r->depth, r->server->name);
	}
	return (sbuf_steal(&out));
}

static void
check(const struct sidebar *sb, const char *want)
{
	char	*got = render(sb);

	assert_string_equal(got, want);
	free(got);
}

static void
test_tree_and_collapse(void **state)
{
	struct tree	 t;
	struct sidebar	*sb;

	(void)state;
	build(&t);
	sb = sidebar_create(&t.cfg, NULL, NULL);
	check(sb, "G0:production(3) S1:db-1 G1:web(2) S2:web-1 S2:web-2 "
	    "G0:staging(1) S1:stg-1 G0:development(1) S1:dev-1");
	sidebar_select(sb, 2);	/* web */
	sidebar_toggle(sb);
	check(sb, "G0:production(3) S1:db-1 G1:web(2) "
	    "G0:staging(1) S1:stg-1 G0:development(1) S1:dev-1");
	assert_int_equal(sidebar_selected(sb), 2);
	sidebar_select(sb, 0);
	sidebar_toggle(sb);
	check(sb, "G0:production(3) G0:staging(1) S1:stg-1 "
	    "G0:development(1) S1:dev-1");
	sidebar_toggle(sb);	/* web stays collapsed inside */
	check(sb, "G0:production(3) S1:db-1 G1:web(2) "
	    "G0:staging(1) S1:stg-1 G0:development(1) S1:dev-1");
	/* Collapsing from a server collapses its group. */
	assert_int_equal(sidebar_select_server(sb, "stg-1"), 0);
	sidebar_set_collapsed(sb, true);
	check(sb, "G0:production(3) S1:db-1 G1:web(2) "
	    "G0:staging(1) G0:development(1) S1:dev-1");
	assert_int_equal(sidebar_row(sb, sidebar_selected(sb))->kind,
	    SIDEBAR_GROUP);
	sidebar_free(sb);
	free_tree(&t);
}

static void
test_filter(void **state)
{
	struct tree	 t;
	struct sidebar	*sb;

	(void)state;
	build(&t);
	sb = sidebar_create(&t.cfg, NULL, NULL);
	sidebar_set_filter(sb, "web");
	check(sb, "G0:production(2) G1:web(2) S2:web-1 S2:web-2");
	assert_string_equal(sidebar_row(sb, sidebar_selected(sb))->server->name,
	    "web-1");
	sidebar_set_filter(sb, "nginx");	/* by tag */
	check(sb, "G0:production(2) G1:web(2) S2:web-1 S2:web-2 "
	    "G0:staging(1) S1:stg-1");
	sidebar_set_filter(sb, "stag");		/* by env */
	check(sb, "G0:staging(1) S1:stg-1");
	sidebar_set_filter(sb, "nginx prod 2");	/* every word */
	check(sb, "G0:production(1) G1:web(1) S2:web-2");
	sidebar_set_filter(sb, "nothing-matches");
	assert_int_equal(sidebar_rows(sb), 0);
	assert_null(sidebar_row(sb, sidebar_selected(sb)));
	sidebar_set_filter(sb, "");
	assert_int_equal(sidebar_rows(sb), 9);
	sidebar_free(sb);
	free_tree(&t);
}

/* Servers policy hides never appear, nor do groups left empty. */
static bool
only_staging(const struct server *s, void *arg)
{
	(void)arg;
	return (s->env == ENV_STAGING);
}

static void
test_policy_hidden(void **state)
{
	struct tree	 t;
	struct sidebar	*sb;

	(void)state;
	build(&t);
	sb = sidebar_create(&t.cfg, only_staging, NULL);
	check(sb, "G0:staging(1) S1:stg-1");
	assert_int_equal(sidebar_visible_servers(sb), 1);
	assert_int_equal(sidebar_select_server(sb, "web-1"), -1);
	sidebar_free(sb);
	free_tree(&t);
}

/* 10,000 servers: filtering stays correct; scrolling keeps selection shown. */
static void
test_many(void **state)
{
	struct tree	 t;
	struct sidebar	*sb;
	char		 name[32];
	size_t		 i, top;

	(void)state;
	build(&t);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof name, "node-%05zu", i);
		add_server(&t, t.all[4], name, ENV_DEVELOPMENT, "bulk");
	}
	sb = sidebar_create(&t.cfg, NULL, NULL);
	assert_int_equal(sidebar_rows(sb), 10009);
	sidebar_set_filter(sb, "node-0999");
	assert_int_equal(sidebar_rows(sb), 1 + 10);
	sidebar_set_filter(sb, "");
	sidebar_move(sb, 5000);
	top = sidebar_scroll(sb, 40);
	assert_true(sidebar_selected(sb) >= top &&
	    sidebar_selected(sb) < top + 40);
	sidebar_move(sb, -100000);
	assert_int_equal(sidebar_selected(sb), 0);
	assert_int_equal(sidebar_scroll(sb, 40), 0);
	sidebar_free(sb);
	free_tree(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_and_collapse),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_policy_hidden),
		cmocka_unit_test(test_many),
	};

	return (cmocka_run_group_tests_name("sidebar", tests, NULL, NULL));
}
