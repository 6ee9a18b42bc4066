import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_TREE_DEPTH } from '../../src/core/poll-limits.js'
import { ConfigError, loadConfigFile, resolveConfig } from '../../src/daemon/config.js'
import { temporaryDirectory } from './helpers.js'

describe('configuration', () => {
  it('takes flags over env over file over defaults', () => {
    const file = { dataDir: '/file', logLevel: 'debug', maxConnections: 10, bootstrap: ['/ip4/1.2.3.4/tcp/1/p2p/x'] }
    const env = { MACI_ANON_DATA_DIR: '/env', MACI_ANON_LOG_LEVEL: 'warn' }
    const config = resolveConfig('replica', { flags: { dataDir: '/flag' }, env, file })
    expect(config.dataDir).toBe('/flag')
    expect(config.logLevel).toBe('warn')
    expect(config.maxConnections).toBe(10)
    expect(config.bootstrap).toEqual(['/ip4/1.2.3.4/tcp/1/p2p/x'])
    expect(config.listen).toEqual(['/ip4/127.0.0.1/tcp/4002', '/ip4/127.0.0.1/tcp/4012/ws'])
    expect(config.mdns).toBe(false)
    expect(config.metricsPort).toBeUndefined()
    expect(config.metricsHost).toBe('127.0.0.1')
  })

  it('parses env strings: lists, booleans, integers', () => {
    const config = resolveConfig('operator', {
      env: { MACI_ANON_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2', MACI_ANON_MDNS: 'true', MACI_ANON_METRICS_PORT: '9100' },
    })
    expect(config.listen).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    expect(config.mdns).toBe(true)
    expect(config.metricsPort).toBe(9100)
  })

  it('parses the privacy settings of voters and replicas, with safe defaults', () => {
    const defaults = resolveConfig('voter', {})
    expect(defaults).toMatchObject({ replicaAddress: [], anonymitySet: 8, reactivationDelayMaxMs: 10_000, allowSingleSource: false })
    expect(resolveConfig('replica', {}).peerReplicas).toEqual([])
    const config = resolveConfig('voter', {
      env: {
        MACI_ANON_REPLICA: '/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2',
        MACI_ANON_ANONYMITY_SET: '3',
        MACI_ANON_REACTIVATION_DELAY_MAX_MS: '0',
        MACI_ANON_ALLOW_SINGLE_SOURCE: 'true',
        MACI_ANON_PEER_REPLICAS: '/ip4/127.0.0.1/tcp/3',
      },
    })
    expect(config).toMatchObject({
      replicaAddress: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'],
      anonymitySet: 3,
      reactivationDelayMaxMs: 0,
      allowSingleSource: true,
      peerReplicas: ['/ip4/127.0.0.1/tcp/3'],
    })
    expect(() => resolveConfig('voter', { env: { MACI_ANON_ANONYMITY_SET: '-1' } })).toThrow(ConfigError)
  })

  it('refuses bad values, unknown file keys and a passphrase in a file', () => {
    expect(() => resolveConfig('operator', { env: { MACI_ANON_METRICS_PORT: '70000' } })).toThrow(ConfigError)
    expect(() => resolveConfig('operator', { flags: { logLevel: 'loud' } })).toThrow(ConfigError)
    expect(() => resolveConfig('operator', { file: { dataDirectory: 'x' } })).toThrow(/unknown key/)
    expect(() => resolveConfig('voter', { file: { passphrase: 'x' } })).toThrow(/MACI_ANON_PASSPHRASE/)
  })

  it('accepts only the tree depth the committed circuit has, the one operator init accepts', () => {
    expect(resolveConfig('operator', {}).depth).toBe(DEFAULT_TREE_DEPTH)
    expect(resolveConfig('operator', { env: { MACI_ANON_DEPTH: '20' } }).depth).toBe(20)
    expect(resolveConfig('operator', { flags: { depth: '20' }, file: { depth: 20 } }).depth).toBe(20)
    const refusal = 'must be 20, the depth of the committed membership circuit; depth 16 has no circuit artifacts'
    expect(() => resolveConfig('operator', { env: { MACI_ANON_DEPTH: '16' } })).toThrow(`MACI_ANON_DEPTH ${refusal}`)
    expect(() => resolveConfig('operator', { flags: { depth: '16' } })).toThrow(`--depth ${refusal}`)
    expect(() => resolveConfig('operator', { file: { depth: 16 } })).toThrow(`depth ${refusal}`)
    for (const depth of [1, 19, 21, 32, '0x14', '20.0', '', 'twenty', 20.5]) {
      expect(() => resolveConfig('operator', { file: { depth } })).toThrow(ConfigError)
    }
  })

  it('reads YAML and JSON files', async () => {
    const temp = await temporaryDirectory()
    await writeFile(join(temp.path, 'c.yaml'), 'dataDir: /y\nlisten:\n  - /ip4/127.0.0.1/tcp/5\n')
    await writeFile(join(temp.path, 'c.json'), JSON.stringify({ dataDir: '/j', mdns: true }))
    expect(await loadConfigFile(join(temp.path, 'c.yaml'))).toEqual({ dataDir: '/y', listen: ['/ip4/127.0.0.1/tcp/5'] })
    expect(resolveConfig('operator', { file: await loadConfigFile(join(temp.path, 'c.json')) })).toMatchObject({ dataDir: '/j', mdns: true })
    await temp.remove()
  })
})
