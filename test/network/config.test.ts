import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
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
    expect(config.listen).toEqual(['/ip4/127.0.0.1/tcp/4002'])
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

  it('refuses bad values, unknown file keys and a passphrase in a file', () => {
    expect(() => resolveConfig('operator', { env: { MACI_ANON_METRICS_PORT: '70000' } })).toThrow(ConfigError)
    expect(() => resolveConfig('operator', { flags: { logLevel: 'loud' } })).toThrow(ConfigError)
    expect(() => resolveConfig('operator', { file: { dataDirectory: 'x' } })).toThrow(/unknown key/)
    expect(() => resolveConfig('voter', { file: { passphrase: 'x' } })).toThrow(/MACI_ANON_PASSPHRASE/)
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
