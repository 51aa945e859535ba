# bash completion for opscheck: commands, options, and the checklist and
# check names of the config in use (the -c files, else the one opscheck's
# search order finds), and the plugins on that config's plugin path.
# The commands and options are read from `opscheck --help`, so they follow
# the program's own option table.
_opscheck() {
    local cur prev words cword
    _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; }
    local help cmds
    help=$(opscheck --help 2>/dev/null)
    cmds=$(printf '%s\n' "$help" | sed -nE 's/^ *(usage: )?opscheck ([a-z]+).*/\2/p' | sort -u)
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur")); return
    fi
    case $prev in
        -c|--config|--junit|--json|--prometheus|--tap|--only-failed|--web-config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "tap pretty json junit prometheus nagios" -- "$cur")); return ;;
        --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --tap-version) COMPREPLY=($(compgen -W "13 14" -- "$cur")); return ;;
        -j|--jobs|--set|--tag|--push|--push-group|--label|--listen|--history) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(printf '%s\n' "$help" | grep -oE -- '(^|[][ |])--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*' | sort -u)" -- "$cur")); return
    fi
    local cfgs=() i
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        [[ ${COMP_WORDS[i]} == -c || ${COMP_WORDS[i]} == --config ]] && cfgs+=(-c "${COMP_WORDS[i+1]}")
    done
    case ${COMP_WORDS[1]} in
        run)
            local names
            names=$(opscheck list "${cfgs[@]}" 2>/dev/null | awk '/^  [^ ]/ {print $1}')
            COMPREPLY=($(compgen -W "$names" -- "$cur")) ;;
        plugins)
            COMPREPLY=($(compgen -W "$(opscheck plugins "${cfgs[@]}" 2>/dev/null | awk '{print $1}')" -- "$cur")) ;;
    esac
}
complete -F _opscheck opscheck
