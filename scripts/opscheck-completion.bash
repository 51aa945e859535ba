# bash completion for opscheck: commands, options, and the checklist and
# check names of the config in use (-c files, $OPSCHECK_CONFIG or ./checks.ini).
_opscheck() {
    local cur prev words cword
    _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; }
    local cmds="run serve list validate plugins"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur")); return
    fi
    case $prev in
        -c|--config|--junit|--json|--prometheus) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "tap pretty" -- "$cur")); return ;;
        --tap-version) COMPREPLY=($(compgen -W "13 14" -- "$cur")); return ;;
        -j|--jobs|--set|--tag|--push|--listen|--history) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-c --config --set -j --jobs --tag -v --verbose --format --tap-version --junit --json --prometheus --push --markdown --listen --history" -- "$cur")); return
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
            COMPREPLY=($(compgen -W "$(opscheck plugins 2>/dev/null | awk '{print $1}')" -- "$cur")) ;;
    esac
}
complete -F _opscheck opscheck
