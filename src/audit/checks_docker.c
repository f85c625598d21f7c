#include "config.h"

#include <stdio.h>

#include "audit_int.h"

/* Without ip6tables, published ports on [::] stop answering once the proxy is off. */
static const char *ipv6_warning(const struct dproxy_daemon *d)
{
	return d->ip6tables == 1
		       ? ""
		       : "without ip6tables, IPv6 published ports ([::]:PORT) stop answering "
			 "once the proxy is off; set \"ip6tables\": true too (before Docker "
			 "27 it also needs \"experimental\": true).";
}

/* Where the config file named comes from. */
static const char *config_origin(const struct dproxy_daemon *d)
{
	return !d->found	 ? "dockerd's default file; the proxies' parent is not dockerd"
	       : d->config_given ? "the --config-file dockerd runs with"
				 : "dockerd's default: it runs without --config-file";
}

/*
 * The remedy names the config file dockerd reads (its --config-file), says when that file
 * already turns the proxy off (dockerd reads it at start: it was not restarted since),
 * and what turning the proxy off costs IPv6.
 */
static void docker_proxy_remedy(const struct snapshot *s, struct finding *f)
{
	const struct dproxy_daemon *d = &s->proxies.daemon;
	const char *v6 = d->ip6tables == 1    ? ""
			 : d->ip6tables == 0  ? " It has \"ip6tables\": false: "
			 : d->ip6tables == -1 ? " It does not set \"ip6tables\": "
					      : " Its \"ip6tables\" is unknown: ";

	if (d->found && d->userland_proxy == 0) {
		snprintf(f->remedy, sizeof(f->remedy),
			 "%.200s (%s) already sets \"userland-proxy\": false, but dockerd reads "
			 "it at start and has not been restarted since: restart dockerd (its "
			 "containers restart too unless \"live-restore\" is on).%s%s",
			 d->config, config_origin(d), v6, ipv6_warning(d));
		return;
	}
	snprintf(f->remedy, sizeof(f->remedy),
		 "Set \"userland-proxy\": false in %.200s (%s) and restart dockerd: published "
		 "ports then use DNAT rules instead of a copying process (field reports "
		 "measured 40-50%% less throughput through docker-proxy; natscope did not "
		 "measure it).%s%s",
		 d->config, config_origin(d), v6, ipv6_warning(d));
}

/* docker_userland_proxy: docker-proxy processes relaying published ports of the namespace. */
void audit_check_docker_proxy(const struct snapshot *s, const struct audit_thresholds *t,
			      struct finding *f)
{
	audit_evidence(f, "processes", (double)s->proxies.n);
	if (!s->proxies.n) {
		audit_summary(f, "no docker-proxy processes");
		return;
	}
	audit_evidence(f, "daemon_config_given", s->proxies.daemon.config_given);
	audit_evidence(f, "ip6tables", s->proxies.daemon.ip6tables);
	audit_evidence(f, "userland_proxy", s->proxies.daemon.userland_proxy);
	audit_raise(f, SEV_WARNING);
	audit_summary(f, "%u docker-proxy process%s relay%s published ports in user space%s",
		      s->proxies.n, s->proxies.n == 1 ? "" : "es", s->proxies.n == 1 ? "s" : "",
		      s->proxies.daemon.found && s->proxies.daemon.userland_proxy == 0
			      ? " (dockerd's config file turns it off: not restarted since)"
			      : "");
	docker_proxy_remedy(s, f);
}
