/**
 * `dcos-ts completion bash|zsh|fish`: a completion script for the shell. Commands, flags and the values a
 * flag takes are written into the script from oclif's command manifest, so completing them starts no
 * process (a start of dcos-ts is ~100 ms, too slow for every Tab). Only an argument naming a task asks the
 * cluster, through the hidden `task names` command with the cluster flags typed on the line; it gives up
 * after a few seconds, and the script drops whatever it says on stderr.
 */
import type {IO} from '../output/io.js'

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

/** A flag as oclif's manifest has it. */
export interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  summary?: string
  description?: string
  hidden?: boolean
  multiple?: boolean
  options?: readonly string[]
  /** A boolean that also takes a `--no-` form. */
  allowNo?: boolean
  exclusive?: readonly string[]
}

/** A command as oclif's manifest has it (oclif's Config.commands). */
export interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  flags: Record<string, ManifestFlag>
  args: Record<string, {name: string; options?: readonly string[]}>
}

export interface CompletionOptions {
  shell: Shell
  /** The program's name, as the user runs it. */
  bin: string
  commands: readonly ManifestCommand[]
  topics: ReadonlyArray<{name: string; description?: string; hidden?: boolean}>
  /** Arguments completed with running task names: command id -> argument name. */
  taskArgs: Readonly<Record<string, string>>
  /** The command id that prints them (hidden), given the prefix typed and `passedFlags` from the line. */
  taskNames: string
  /** Flags of the line handed to `taskNames` as they were typed: where the cluster is and which tasks. */
  passedFlags: readonly string[]
  /** Flags whose value is a local file, completed with file names (other values are the user's to type). */
  fileFlags: readonly string[]
}

export async function runCompletion(options: CompletionOptions, deps: {io: IO}): Promise<void> {
  const model = completionModel(options)
  deps.io.stdout.write(SCRIPTS[options.shell](model))
}

interface FlagModel {
  /** Every spelling, long first: `--lines`, `-n`. */
  spellings: string[]
  /** `--no-tui` for a boolean that has one. */
  negation?: string
  description: string
  takesValue: boolean
  /** The values it takes when they are a fixed list. */
  options?: readonly string[]
  /** Its value is a local file. */
  file: boolean
  multiple: boolean
  /** The spellings of the flags it cannot go with. */
  excludes: string[]
}

interface ArgModel {
  name: string
  /** A fixed list of values, or 'tasks' for running task names; undefined: nothing to offer. */
  values?: readonly string[] | 'tasks'
}

interface CommandModel {
  /** The id as typed: `task log`. */
  words: string
  flags: FlagModel[]
  args: ArgModel[]
}

interface Model {
  bin: string
  /** The script's own names start with this: `_dcos_ts`. */
  prefix: string
  /** What can follow each topic ('' the program itself): the next word of a command id, with its summary. */
  next: Map<string, Array<{word: string; description: string}>>
  commands: CommandModel[]
  taskNames: string
  /** The flags `taskNames` is given from the line; of them, those taking a value. */
  passed: {all: string[]; valued: string[]}
}

const HELP_FLAG: FlagModel = {spellings: ['--help'], description: 'Show help', takesValue: false, file: false, multiple: false, excludes: []}

function completionModel(options: CompletionOptions): Model {
  const visible = options.commands.filter((command) => !command.hidden)
  const topicDescriptions = new Map(options.topics.map((topic) => [topic.name, topic.description ?? '']))
  const next = new Map<string, Array<{word: string; description: string}>>()
  for (const command of visible) {
    const parts = command.id.split(':')
    parts.forEach((word, index) => {
      const parent = parts.slice(0, index).join(' ')
      const id = parts.slice(0, index + 1).join(':')
      const siblings = next.get(parent) ?? []
      if (siblings.some((sibling) => sibling.word === word)) return
      const description = index === parts.length - 1 ? (command.summary ?? command.description ?? '') : (topicDescriptions.get(id) ?? '')
      siblings.push({word, description: short(description.replaceAll('<%= config.bin %>', options.bin))})
      next.set(parent, siblings)
    })
  }
  for (const words of next.values()) words.sort((a, b) => (a.word < b.word ? -1 : 1))

  const names = options.commands.find((command) => command.id === options.taskNames)
  if (names === undefined) throw new Error(`no command ${options.taskNames}`)
  const passed = options.passedFlags.map((name) => names.flags[name])
  return {
    bin: options.bin,
    prefix: `_${options.bin.replaceAll(/\W/g, '_')}`,
    next,
    commands: visible.map((command) => commandModel(command, options.taskArgs[command.id], options.fileFlags)),
    taskNames: options.taskNames.replaceAll(':', ' '),
    passed: {all: passed.map((flag) => `--${flag.name}`), valued: passed.filter((flag) => flag.type === 'option').map((flag) => `--${flag.name}`)},
  }
}

function commandModel(command: ManifestCommand, taskArg: string | undefined, fileFlags: readonly string[]): CommandModel {
  const flags = Object.values(command.flags).filter((flag) => !flag.hidden)
  const spellings = (flag: ManifestFlag) => [`--${flag.name}`, ...(flag.char ? [`-${flag.char}`] : [])]
  return {
    words: command.id.replaceAll(':', ' '),
    flags: [
      ...flags.map((flag) => ({
        spellings: spellings(flag),
        negation: flag.type === 'boolean' && flag.allowNo ? `--no-${flag.name}` : undefined,
        description: short(flag.summary ?? flag.description ?? ''),
        takesValue: flag.type === 'option',
        options: flag.options,
        file: fileFlags.includes(flag.name),
        multiple: flag.multiple === true,
        excludes: (flag.exclusive ?? []).flatMap((name) => (command.flags[name] ? spellings(command.flags[name]) : [])),
      })),
      HELP_FLAG,
    ],
    args: Object.values(command.args).map((arg) => ({name: arg.name, values: arg.name === taskArg ? 'tasks' : arg.options})),
  }
}

/** A description's first sentence less what it says in parentheses, for a menu. */
function short(text: string): string {
  const sentence = text.replaceAll(/\s*\([^)]*\)/g, '').split(/\.\s+(?=[A-Z])|;\s|\n/)[0].replace(/\.$/, '').trim()
  return sentence.length > 80 ? `${sentence.slice(0, 77)}...` : sentence
}

/** A word in single quotes for bash and zsh. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`

/** The flags that take a value, every spelling. */
const valuedSpellings = (command: CommandModel) => command.flags.filter((flag) => flag.takesValue).flatMap((flag) => flag.spellings)

const SCRIPTS: Record<Shell, (model: Model) => string> = {bash, zsh, fish}

function bash(model: Model): string {
  const {bin, prefix: p} = model
  const caseLines = (entries: Array<[keys: string[], body: string]>) => entries.map(([keys, body]) => `    ${keys.map(quote).join('|')}) ${body} ;;`).join('\n')
  const words = (list: readonly string[]) => quote(list.join(' '))
  const next = caseLines([...model.next].map(([topic, entries]) => [[topic], `echo ${words(entries.map((entry) => entry.word))}`]))
  const flags = caseLines(model.commands.map((command) => [[command.words], `echo ${words(command.flags.flatMap((flag) => [flag.spellings[0], ...(flag.negation ? [flag.negation] : [])]))}`]))
  const valued = caseLines(model.commands.filter((command) => valuedSpellings(command).length > 0).map((command) => [[command.words], `valued=${words(valuedSpellings(command))}`]))
  // One arm for each list of values, naming every flag that takes it.
  const byValues = new Map<string, string[]>()
  for (const command of model.commands) {
    for (const flag of command.flags) {
      if (!flag.options) continue
      const list = flag.options.join(' ')
      byValues.set(list, [...(byValues.get(list) ?? []), ...flag.spellings.map((spelling) => `${command.words} ${spelling}`)])
    }
  }
  const values = caseLines([...byValues].map(([list, keys]) => [keys, `echo ${quote(list)}`]))
  const args = caseLines(
    model.commands.flatMap((command) =>
      command.args.flatMap((arg, index): Array<[string[], string]> =>
        arg.values === undefined ? [] : [[[`${command.words} ${index}`], arg.values === 'tasks' ? `${p}_tasks` : `printf '%s\\n' ${arg.values.map(quote).join(' ')}`]],
      ),
    ),
  )
  return `# bash completion for ${bin}: commands, flags, the values a flag takes, and running task names.
# Load it from ~/.bashrc with:  eval "$(${bin} completion bash)"
# or save it where bash-completion looks:  ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}

# What may follow a topic ('': the program): the next word of a command.
${p}_next() {
  case $1 in
${next}
  esac
}

# The flags of a command.
${p}_flags() {
  case $1 in
${flags}
  esac
}

# The values of a command's flag where they are a list; fails for a flag that takes no value.
${p}_values() {
  local valued=
  case $1 in
${valued}
  esac
  [[ " $valued " == *" $2 "* ]] || return 1
  case "$1 $2" in
${values}
  esac
}

# The values of a command's argument by position (0 the first), where there is something to offer.
${p}_args() {
  case "$1 $2" in
${args}
  esac
}

# Running task names, from the cluster the line names (stderr dropped: a Tab prints no error).
${p}_tasks() {
  local i word value
  local -a passed=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    case " ${model.passed.all.join(' ')} " in
      *" $word "*) ;;
      *) continue ;;
    esac
    case " ${model.passed.valued.join(' ')} " in
      *" $word "*)
        value=\${COMP_WORDS[i+1]}
        [[ $value == = ]] && value=\${COMP_WORDS[i+2]}
        passed+=("$word=$value")
        ;;
      *) passed+=("$word") ;;
    esac
  done
  ${bin} ${model.taskNames} \${passed[@]+"\${passed[@]}"} -- "$cur" 2>/dev/null
}

# Flags whose value is a file.
${p}_files=' ${[...new Set(model.commands.flatMap((command) => command.flags.filter((flag) => flag.file).flatMap((flag) => flag.spellings)))].join(' ')} '

${p}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} id= i=1 args=0 word flag= values line
  COMPREPLY=()
  # The command: the first words, as long as they name one (its flags and arguments come after them).
  while ((i < COMP_CWORD)) && [[ " $(${p}_next "$id") " == *" \${COMP_WORDS[i]} "* ]]; do
    id=\${id:+$id }\${COMP_WORDS[i]}
    ((i++))
  done
  if ((i == COMP_CWORD)) && [[ $cur != -* ]] && values=$(${p}_next "$id") && [[ -n $values ]]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
    return
  fi
  # Its arguments so far (bash splits --flag=value in three words: the flag, '=' and the value).
  for ((; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ $word == = ]]; then
      ((i++))
    elif [[ $word == -* ]]; then
      if ${p}_values "$id" "$word" >/dev/null && [[ \${COMP_WORDS[i+1]} != = ]]; then ((i++)); fi
    else
      ((args++))
    fi
  done
  # A flag's value: after the flag, or after its '='.
  if [[ $cur == = ]]; then
    flag=$prev cur=
  elif [[ $prev == = ]]; then
    flag=\${COMP_WORDS[COMP_CWORD-2]}
  elif [[ $prev == -* ]]; then
    flag=$prev
  fi
  if [[ -n $flag ]] && values=$(${p}_values "$id" "$flag"); then
    if [[ $${p}_files == *" $flag "* ]]; then
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$values" -- "$cur"))
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(${p}_flags "$id")" -- "$cur"))
    return
  fi
  # Task names come from the cluster: read line by line, never expanded as compgen -W would.
  while IFS= read -r line; do
    [[ $line == "$cur"* ]] && COMPREPLY+=("$line")
  done < <(${p}_args "$id" "$args")
}

complete -F ${p} ${bin}
`
}

/** A zsh _arguments or _describe text: brackets and colons are its syntax. */
const zshText = (text: string) => text.replaceAll(/([[\]:\\])/g, '\\$1')

function zshFlagSpecs(flag: FlagModel): string[] {
  const [long, char] = flag.spellings
  const description = `[${zshText(flag.description)}]`
  const name = long.slice(2)
  const action = !flag.takesValue ? '' : flag.options ? `:${name}:(${flag.options.join(' ')})` : flag.file ? `:${name}:_files` : `:${name}: `
  const exclusions = [...(flag.multiple ? [] : [...flag.spellings, ...(flag.negation ? [flag.negation] : [])]), ...flag.excludes]
  const excluded = exclusions.length > 0 ? `(${exclusions.join(' ')})` : ''
  const repeat = flag.multiple ? '*' : ''
  // --flag= takes its value after '=' or as the next word; -c+ right after the letter or as the next word.
  const forms = [flag.takesValue ? `${long}=` : long, ...(char ? [flag.takesValue ? `${char}+` : char] : [])]
  const specs = forms.map((form) => quote(`${excluded}${repeat}${form}${description}${action}`))
  if (flag.negation) specs.push(quote(`${excluded}${flag.negation}[${zshText(flag.description)} (off)]`))
  return specs
}

function zsh(model: Model): string {
  const {bin, prefix: p} = model
  const next = [...model.next]
    .map(([topic, words]) => `    ${quote(topic)}) reply=(${words.map((entry) => quote(`${entry.word}:${zshText(entry.description)}`)).join(' ')}) ;;`)
    .join('\n')
  const commands = model.commands
    .map((command) => {
      const args = command.args.map((arg, index) => {
        const action = arg.values === 'tasks' ? `${p}_tasks` : arg.values ? `(${arg.values.join(' ')})` : ' '
        return quote(`${index + 1}:${arg.name}:${action}`)
      })
      const specs = [...command.flags.flatMap(zshFlagSpecs), ...args]
      return `    ${quote(command.words)}) _arguments -s -S \\\n      ${specs.join(' \\\n      ')} ;;`
    })
    .join('\n')
  return `#compdef ${bin}
# zsh completion for ${bin}: commands, flags, the values a flag takes, and running task names.
# Load it from ~/.zshrc, after compinit, with:  eval "$(${bin} completion zsh)"
# or save it as _${bin} in a folder of $fpath:  ${bin} completion zsh > ~/.zfunc/_${bin}

# What may follow a topic ('': the program): the next word of a command, with its summary.
${p}_next() {
  case $1 in
${next}
    *) reply=() ;;
  esac
}

# Running task names, from the cluster the line names (stderr dropped: a Tab prints no error).
${p}_tasks() {
  local i
  local -a passed names
  for (( i = 2; i < CURRENT; i++ )); do
    if (( \${${p}_valued[(Ie)$words[i]]} )); then
      passed+=("$words[i]=\${(Q)words[i+1]}")
    elif (( \${${p}_passed[(Ie)\${words[i]%%=*}]} )); then
      passed+=("\${(Q)words[i]}")
    fi
  done
  names=(\${(f)"$(${bin} ${model.taskNames} $passed -- "\${(Q)PREFIX}" 2>/dev/null)"})
  _wanted tasks expl 'running task' compadd -a names
}
typeset -ga ${p}_passed=(${model.passed.all.join(' ')}) ${p}_valued=(${model.passed.valued.join(' ')})

${p}() {
  local id= i=2
  local -a reply
  # The command: the first words, as long as they name one (its flags and arguments come after them).
  while (( i < CURRENT )); do
    ${p}_next "$id"
    (( \${reply[(I)\${(b)words[i]}:*]} )) || break
    id=\${id:+$id }$words[i]
    (( i++ ))
  done
  ${p}_next "$id"
  if (( $#reply )); then
    (( i == CURRENT )) && _describe -t commands command reply
    return
  fi
  # Completed as the command's own line: its words after the command's.
  words=("$words[1]" "\${(@)words[i,-1]}")
  (( CURRENT -= i - 2 ))
  case $id in
${commands}
  esac
}

compdef ${p} ${bin}
`
}

/** A word in single quotes for fish, where a backslash escapes too. */
const fishQuote = (text: string) => `'${text.replaceAll(/(['\\])/g, '\\$1')}'`

function fish(model: Model): string {
  const {bin, prefix: p} = model
  const c = `complete -c ${bin}`
  const lines: string[] = []
  for (const [topic, words] of model.next) {
    for (const entry of words) lines.push(`${c} -n ${fishQuote(`${p}_at ${fishQuote(topic)}`)} -a ${entry.word} -d ${fishQuote(entry.description)}`)
  }
  for (const command of model.commands) {
    const when = `-n ${fishQuote(`${p}_in ${fishQuote(command.words)}`)}`
    for (const flag of command.flags) {
      const [long, char] = flag.spellings
      const names = `-l ${long.slice(2)}${char ? ` -s ${char.slice(1)}` : ''}`
      const value = !flag.takesValue ? '' : flag.options ? ` -x -a ${fishQuote(flag.options.join(' '))}` : flag.file ? ' -r -F' : ' -x'
      lines.push(`${c} ${when} ${names}${value} -d ${fishQuote(flag.description)}`)
      if (flag.negation) lines.push(`${c} ${when} -l ${flag.negation.slice(2)} -d ${fishQuote(`${flag.description} (off)`)}`)
    }
    command.args.forEach((arg, index) => {
      if (arg.values === undefined) return
      const values = arg.values === 'tasks' ? `(${p}_tasks)` : arg.values.join(' ')
      lines.push(`${c} -n ${fishQuote(`${p}_arg ${fishQuote(command.words)} ${index}`)} -a ${fishQuote(values)} -d ${fishQuote(arg.name)}`)
    })
  }
  const valued = model.commands
    .filter((command) => valuedSpellings(command).length > 0)
    .map((command) => `        case ${fishQuote(command.words)}\n            printf '%s\\n' ${valuedSpellings(command).join(' ')}`)
    .join('\n')
  return `# fish completion for ${bin}: commands, flags, the values a flag takes, and running task names.
# Load it from ~/.config/fish/config.fish with:  ${bin} completion fish | source
# or save it where fish looks:  ${bin} completion fish > ~/.config/fish/completions/${bin}.fish

# The words of the line before the cursor, less the program; the command (or topic) they start with; the rest.
function ${p}_parse
    set -l words (commandline -opc)
    set -e words[1]
    set -l id
    set -l n 0
    for word in $words
        contains -- "$word" (${p}_next "$id"); or break
        set id (string join ' ' $id $word)
        set n (math $n + 1)
    end
    echo $id
    set -l rest $words[(math $n + 1)..-1]
    set -q rest[1]; and printf '%s\\n' $rest
end

# What may follow a topic ('': the program): the next word of a command.
function ${p}_next
    switch "$argv[1]"
${[...model.next].map(([topic, words]) => `        case ${fishQuote(topic)}\n            printf '%s\\n' ${words.map((entry) => entry.word).join(' ')}`).join('\n')}
    end
end

# The flags of a command that take a value, every spelling.
function ${p}_valued
    switch "$argv[1]"
${valued}
    end
end

# True where the line so far is exactly the topic $argv[1]: its next word is being typed.
function ${p}_at
    set -l parsed (${p}_parse)
    test "$parsed[1]" = "$argv[1]"; and test (count $parsed) -eq 1
end

# True where the line runs the command $argv[1].
function ${p}_in
    set -l parsed (${p}_parse)
    test "$parsed[1]" = "$argv[1]"
end

# True where the word being typed is the command $argv[1]'s argument number $argv[2] (0 the first).
function ${p}_arg
    set -l parsed (${p}_parse)
    test "$parsed[1]" = "$argv[1]"; or return 1
    set -l valued (${p}_valued "$argv[1]")
    set -l args 0
    set -l skip 0
    for word in $parsed[2..-1]
        if test $skip -eq 1
            set skip 0
        else if string match -q -- '-*' "$word"
            contains -- "$word" $valued; and set skip 1
        else
            set args (math $args + 1)
        end
    end
    test $skip -eq 0; and test $args -eq $argv[2]
end

# Running task names, from the cluster the line names (stderr dropped: a Tab prints no error).
function ${p}_tasks
    set -l words (commandline -opc)
    set -l passed
    for i in (seq 2 (count $words))
        set -l word $words[$i]
        if contains -- "$word" ${model.passed.valued.join(' ')}
            set -l value (math $i + 1)
            set -a passed "$word=$words[$value]"
        else if contains -- (string split -m 1 = -- "$word")[1] ${model.passed.all.join(' ')}
            set -a passed "$word"
        end
    end
    ${bin} ${model.taskNames} $passed -- (commandline -ct) 2>/dev/null
end

complete -c ${bin} -f
${lines.join('\n')}
`
}
