/** The package version, reported by the status protocol and `--version`. */
import manifest from '../../package.json' with { type: 'json' }

export const VERSION: string = manifest.version
