# bash completion for natscope(8)                          -*- shell-script -*-
# Installed by meson (option completions) to bash-completion's directory. Each
# command's option list is one line tagged with the command's name: contrib/lint/
# manhelp.py checks them against 'natscope COMMAND --help'.

_natscope()
{
	local cur prev words cword cmd= i opts
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--netns) ((i++)) ;;
		audit | fix | top | exporter | record)
			cmd=${words[i]}
			break
			;;
		esac
	done

	case $prev in
	--netns)
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
		return
		;;
	-f | --format)
		[ "$cmd" = top ] && opts="text json" || opts="text json prometheus openmetrics nagios"
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
		;;
	--color)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
		return
		;;
	--view)
		COMPREPLY=($(compgen -W "overview groups rules flows networks" -- "$cur"))
		return
		;;
	--ignore)
		opts="snat_port_clash table_fill table_drops hash_chains time_wait invalid snat_port_exhaustion snat_rules_random nat_overlay_stale fix_effect legacy_iptables_nat docker_userland_proxy asymmetric_route tracking_bypass_candidate" #checks
		COMPREPLY=($(compgen -W "$opts" -- "${cur##*,}"))
		return
		;;
	-o | --output | --replay)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--oif)
		COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur"))
		return
		;;
	-i | --interval | -d | --duration | -n | --iterations | --rcvbuf | --rcvbuf-max | --resync | --timeout | --sample | --saddr | -l | --listen)
		return # a number, an address: nothing to offer
		;;
	esac

	case $cmd in
	"") opts="--netns -V --version -h --help audit fix top exporter record" ;; #natscope
	audit) opts="-i --interval -f --format --ignore --timeout --no-bpf -o --output --color --netns --all-netns --replay -h --help" ;; #audit
	fix) opts="--random-fully --tune --revert --dry-run -y --yes --oif --saddr --follow --revert-on-exit --sample --in-place --netns -h --help" ;; #fix
	top) opts="-b --batch -n --iterations -d --interval -f --format --replay --rcvbuf --rcvbuf-max --resync --no-bpf --view --netns -h --help" ;; #top
	exporter) opts="-l --listen --netns --all-netns --no-bpf -i --interval -h --help" ;; #exporter
	record) opts="-d --duration --rcvbuf --no-bpf --netns -h --help" ;; #record
	esac
	if [ "$cmd" = record ] && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _natscope natscope
