import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The layering of src/, lowest first: a layer imports only the layers listed for it (and
 * itself). `errors.ts` is the one error base and imports nothing from src/. No file in src/
 * imports from outside it: tests, scripts and benches sit on top of the product, not in it.
 */
const LAYERS = {
  crypto: [],
  mpc: ['crypto'],
  zk: ['mpc', 'crypto'],
  core: ['zk', 'mpc', 'crypto'],
  protocol: ['core', 'zk', 'mpc', 'crypto'],
  store: ['core', 'zk', 'mpc', 'crypto'],
  daemon: ['protocol', 'store', 'core', 'zk', 'mpc', 'crypto'],
  cli: ['daemon', 'protocol', 'store', 'core', 'zk', 'mpc', 'crypto'],
}
const LAYERING = 'errors.ts <- crypto <- mpc <- zk <- core <- {protocol, store} <- daemon <- cli'

/** Packages that only some layers may import: the storage engine and the network stack. */
const PACKAGES = [
  {
    name: 'LevelDB',
    regex: '^(level|classic-level|abstract-level|memory-level|browser-level)(/|$)',
    layers: ['store', 'daemon', 'cli'],
  },
  {
    name: 'libp2p',
    regex: '^(libp2p(/|$)|@libp2p/|@chainsafe/|@multiformats/)',
    layers: ['protocol', 'daemon', 'cli'],
  },
]

// Relative specifiers are matched as written, so each directory depth under a layer gets its
// own pattern with the right number of `../` to reach src/. Deeper files would go unchecked.
const MAX_DEPTH = 8

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const list = (names) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`)

/**
 * One restriction: a regex on the specifier and its message. no-restricted-imports checks
 * `import` and `export … from` (type-only ones too); the `import()` of a literal is checked
 * through no-restricted-syntax, whose esquery regexes may not contain a bare `/`.
 */
function rules(restrictions) {
  return {
    'no-restricted-imports': ['error', { patterns: restrictions.map(({ regex, message }) => ({ regex, message })) }],
    'no-restricted-syntax': [
      'error',
      ...restrictions.map(({ regex, message }) => ({
        selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/u]`,
        message,
      })),
    ],
  }
}

function packageRestrictions(layer) {
  return PACKAGES.filter((spec) => !spec.layers.includes(layer)).map((spec) => ({
    regex: spec.regex,
    message: `Only ${list(spec.layers.map((name) => `src/${name}`))} may import ${spec.name} packages.`,
  }))
}

function layerConfigs(layer, allowed) {
  const reachable = [layer, ...allowed].map((name) => `${escape(name)}/`)
  const message =
    `Layering: src/${layer} may import ${list([...allowed.map((name) => `src/${name}`), 'src/errors.ts'])}, ` +
    `not a layer above it nor anything outside src/ (${LAYERING}).`
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    files: [`src/${layer}/${'*/'.repeat(depth)}*`],
    rules: rules([
      // Reaches src/ and then names anything but an allowed layer or errors.js: a layer
      // above, an unknown directory, or (through one more `../`) a place outside src/.
      { regex: `^(\\.\\./){${depth + 1}}(?!(${reachable.join('|')}|errors\\.js$))`, message },
      ...packageRestrictions(layer),
    ]),
  }))
}

const layering = [
  ...Object.entries(LAYERS).flatMap(([layer, allowed]) => layerConfigs(layer, allowed)),
  {
    files: ['src/errors.ts'],
    rules: rules([
      { regex: '^\\.', message: `Layering: src/errors.ts is the error base every layer imports, so it imports nothing from src/ (${LAYERING}).` },
      ...packageRestrictions('errors.ts'),
    ]),
  },
]

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', 'dist/**', 'circuits/build/**', 'src/protocol/generated/**', '.stryker-tmp*/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...layering,
)
