#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "app.h"
#include "util.h"

static const struct command {
	const char *name;
	const char *summary;
	int (*run)(struct app *app, int argc, char **argv);
	bool plugin; /* in plugin mode (-f nagios) every error exits 3 (UNKNOWN) */
} commands[] = {
	{
		.name = "audit",
		.summary = "one-shot report of conntrack and SNAT problems with remedies",
		.run = cmd_audit,
		.plugin = true,
	},
	{
		.name = "fix",
		.summary = "install fully-random masquerade/snat overlays (or --revert them)",
		.run = cmd_fix,
	},
	{
		.name = "top",
		.summary = "follow conntrack live: counts, events, loss, clash rates (--batch)",
		.run = cmd_top,
	},
	{
		.name = "exporter",
		.summary = "serve Prometheus metrics from a live conntrack model (--listen)",
		.run = cmd_exporter,
	},
	{
		.name = "record",
		.summary = "save conntrack messages to a pcap file for replay or Wireshark",
		.run = cmd_record,
	},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: natscope [--netns NAME|PATH|PID] COMMAND [OPTIONS]\n"
		   "\n"
		   "Linux conntrack and NAT diagnostics.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
		   "Global options:\n"
		   "      --netns NS   run inside network namespace NS: a name under /run/netns,\n"
		   "                   a path to a namespace file, or a process id\n"
		   "  -h, --help       show this help\n"
		   "  -V, --version    show the version\n"
		   "\n"
		   "Run 'natscope COMMAND --help' for a command's options.\n");
}

/*
 * Descriptors 0-2 must be open before anything is opened: a socket or file would take a
 * closed one and receive what natscope prints.  /dev/null read-only takes the place:
 * reads see end of file, and writes fail (EBADF) like any other write error.
 */
static int standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		n = open("/dev/null", O_RDONLY);
		if (n != fd) {
			if (n >= 0)
				close(n);
			return -1;
		}
	}
	return 0;
}

/* Where this natscope comes from: its version and the libraries it runs with. */
static void version(FILE *f)
{
	fprintf(f,
		"natscope %s (libmnl %s, libnftnl %s, libnftables %s, jansson %s, "
		"libmicrohttpd %s, BPF component %s)\n",
		NATSCOPE_VERSION, LIBMNL_VERSION, LIBNFTNL_VERSION, LIBNFTABLES_VERSION,
		jansson_version_str(), MHD_get_version(), HAVE_BPF ? "built" : "not built");
}

/*
 * Whether the command line asks for monitoring-plugin output (-f nagios): then errors,
 * usage errors included, exit 3 as the plugin guidelines want; seen before the command
 * parses its options, so an error in any of them exits 3 too.
 */
static bool asks_plugin(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "-fnagios") == 0 || strcmp(a, "--format=nagios") == 0 ||
		    ((strcmp(a, "-f") == 0 || strcmp(a, "--format") == 0) && i + 1 < argc &&
		     strcmp(argv[i + 1], "nagios") == 0))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct app app = {
		.prog = "natscope",
		.out = stdout,
		.err = stderr,
	};
	const char *no_color = getenv("NO_COLOR");
	int c, ret;

	if (standard_fds() < 0)
		return EX_OSERR;

	app.color = isatty(STDOUT_FILENO) && !(no_color && *no_color);

	/* '+': stop at the command name; the command parses the rest.  ':' and opterr 0:
	 * errors are natscope's one line, not getopt's two with the binary's path. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			app.netns = optarg;
			break;
		case 'h':
			usage(stdout);
			return app_flush(&app);
		case 'V':
			version(stdout);
			return app_flush(&app);
		case ':':
			fprintf(stderr,
				"natscope: option '%s' needs a value: see 'natscope --help'\n",
				argv[optind - 1]);
			return EX_USAGE;
		default:
			if (optopt)
				fprintf(stderr,
					"natscope: unknown option '-%c': see 'natscope --help'\n",
					optopt);
			else
				fprintf(stderr,
					"natscope: unknown option '%s': see 'natscope --help'\n",
					argv[optind - 1]);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		app.cmd = commands[i].name;
		app.plugin_exit = commands[i].plugin && asks_plugin(argc - optind, argv + optind);
		argc -= optind;
		argv += optind;
		optind = 0; /* re-initialise getopt for the command */
		ret = commands[i].run(&app, argc, argv);
		/* what the command printed must have reached standard output */
		if (ferror(stdout) || fflush(stdout) == EOF) {
			int err = app_output_error(&app, errno);

			return ret ? ret : err;
		}
		return ret;
	}
	fprintf(stderr, "natscope: unknown command '%s': try 'natscope --help'\n", argv[optind]);
	return EX_USAGE;
}
