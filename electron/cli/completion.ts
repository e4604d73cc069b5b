import type { Command } from 'commander';

type Tree = { name: string; options: string[]; subs: Tree[] };

function tree(cmd: Command): Tree {
  return {
    name: cmd.name(),
    options: cmd.options.map((o) => o.long ?? o.short ?? '').filter(Boolean).concat('--help'),
    subs: cmd.commands.map(tree),
  };
}

/** Words to offer after `provenanceone <path…>`: subcommands, else options. */
function table(t: Tree, prefix = ''): Array<[string, string]> {
  const here: Array<[string, string]> = [[prefix, [...t.subs.map((s) => s.name), ...t.options].join(' ')]];
  return here.concat(...t.subs.map((s) => table(s, prefix ? `${prefix} ${s.name}` : s.name)));
}

/** `completion bash|zsh`: a script generated from the command tree, so it never lags behind the commands. */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const rows = table(tree(program));
  const cases = rows.map(([path, words]) => `    "${path}") words="${words}" ;;`).join('\n');
  const fn = `_provenanceone() {
  local cur path i w words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if [[ -z "$path" ]]; then path="$w"; else path="$path $w"; fi
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
`;
  if (shell === 'bash') return `# provenanceone bash completion: eval "$(provenanceone completion bash)"\n${fn}complete -o default -F _provenanceone provenanceone\n`;
  return `# provenanceone zsh completion: eval "$(provenanceone completion zsh)"\nautoload -U +X bashcompinit && bashcompinit\n${fn}complete -o default -F _provenanceone provenanceone\n`;
}
