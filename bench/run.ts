/**
 * `npm run bench -- <suite>`: every speed claim of the project comes from here. Each suite
 * prints a table that sets its figures against a baseline measured in the same run.
 */
const suites: Record<string, () => Promise<void>> = {
  cli: async () => (await import('./cli.js')).runCliBench(),
  mpc: async () => (await import('./mpc.js')).runMpcBench(),
  operator: async () => (await import('./operator.js')).runOperatorBench(),
  poseidon: async () => (await import('./poseidon.js')).runPoseidonBench(),
  reactivate: async () => (await import('./reactivate.js')).runReactivateBench(),
  tally: async () => (await import('./tally.js')).runTallyBench(),
}

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
const names = requested.length > 0 ? requested : Object.keys(suites)
for (const name of names) {
  const suite = suites[name]
  if (suite === undefined) {
    console.error(`unknown bench suite "${name}"; choose from: ${Object.keys(suites).join(', ')}`)
    process.exit(2)
  }
  await suite()
}
