/**
 * The keystore passphrase from the terminal, when neither --passphrase nor
 * MACI_ANON_PASSPHRASE gives one: typed with echo off, so it shows neither on the screen nor
 * in `ps` (where a flag does). Only on a terminal: a script without either setting fails
 * with a sentence instead of waiting for input nobody types.
 */
import { CliError } from './errors.js'

/** A terminal's input and the stream the prompt goes to (stderr: stdout is for results). */
export interface Terminal {
  input: Pick<NodeJS.ReadStream, 'isTTY' | 'setRawMode' | 'setEncoding' | 'resume' | 'pause' | 'on' | 'off'>
  output: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>
}

const processTerminal: Terminal = { input: process.stdin, output: process.stderr }

export function canPrompt(terminal: Terminal = processTerminal): boolean {
  return terminal.input.isTTY === true && terminal.output.isTTY === true
}

/**
 * Reads one line with echo off. Raw mode turns Ctrl-C into a character, so it is handled
 * here: it ends the prompt with an error, as Ctrl-D does on an empty line.
 */
export function readHidden(prompt: string, terminal: Terminal = processTerminal): Promise<string> {
  const { input, output } = terminal
  // Echo off before the prompt shows, so nothing typed in answer to it can be echoed.
  input.setRawMode(true)
  output.write(prompt)
  input.setEncoding('utf8')
  input.resume()
  return new Promise((resolve, reject) => {
    let typed: string[] = []
    const finish = (error?: CliError) => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      output.write('\n')
      if (error === undefined) resolve(typed.join(''))
      else reject(error)
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish()
        if (char === '\u0003') return finish(new CliError('interrupted at the passphrase prompt'))
        if (char === '\u0004') {
          if (typed.length === 0) return finish(new CliError('no passphrase given'))
        } else if (char === '\u007f' || char === '\b') {
          typed = typed.slice(0, -1)
        } else if (char >= ' ') {
          typed.push(char)
        }
      }
    }
    input.on('data', onData)
  })
}

/** The passphrase of an existing keystore, or, with `confirm`, a new one typed twice. */
export async function promptPassphrase(confirm: boolean, terminal: Terminal = processTerminal): Promise<string> {
  const passphrase = await readHidden(confirm ? 'new keystore passphrase: ' : 'keystore passphrase: ', terminal)
  if (passphrase === '') throw new CliError('the passphrase must not be empty')
  if (confirm && (await readHidden('repeat the passphrase: ', terminal)) !== passphrase) throw new CliError('the two passphrases differ')
  return passphrase
}
