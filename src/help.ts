/**
 * oclif's help, with one change: a text goes through oclif's template engine (ejs) only when it holds a
 * template tag (`<%= config.bin %>`). ejs compiles every text into a new function, so a command's help
 * compiled one per flag description at every `--help`; the output is the same.
 */
import {CommandHelp, Help} from '@oclif/core'

const TEMPLATE_TAG = /<%|%>/

function renderTemplatesOnly(render: (text: string) => string): (text: string) => string {
  return (text) => (TEMPLATE_TAG.test(text) ? render(text) : text)
}

class DcosCommandHelp extends CommandHelp {
  constructor(...args: ConstructorParameters<typeof CommandHelp>) {
    super(...args)
    this.render = renderTemplatesOnly(this.render)
  }
}

export class DcosHelp extends Help {
  protected override CommandHelpClass = DcosCommandHelp

  constructor(...args: ConstructorParameters<typeof Help>) {
    super(...args)
    this.render = renderTemplatesOnly(this.render)
  }
}
