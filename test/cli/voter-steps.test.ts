/**
 * The voters' steps of the topology (scripts/lib/testnet-topology.ts), which docker-compose.yml runs
 * at every `up`: run twice against a real operator, the second run keeps the keystore and
 * the signup, and says so. Without --if-missing a second keygen still refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freeTopologyPorts, LocalCluster } from '../../scripts/lib/local-cluster.js'
import { localPlacement, serviceEnv, services, type Ports, type ServiceSpec } from '../../scripts/lib/testnet-topology.js'
import { temporaryDirectory } from '../network/helpers.js'

describe('idempotent voter steps', () => {
  let cluster: LocalCluster
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>
  let ports: Ports
  let topology: ServiceSpec[]
  const env = (name: string) => serviceEnv(topology.find((service) => service.name === name) as ServiceSpec, localPlacement(directory.path), ports)
  const voter = () => topology.find((service) => service.role === 'voter') as ServiceSpec
  const runSteps = async () => {
    const outputs: Array<Record<string, unknown>> = []
    for (const step of voter().steps) outputs.push(JSON.parse(await cluster.runOk(['--json', ...step], env(voter().name))) as Record<string, unknown>)
    return outputs
  }

  beforeAll(async () => {
    directory = await temporaryDirectory()
    ports = await freeTopologyPorts()
    topology = services(1, ports)
    cluster = new LocalCluster()
    await cluster.startDaemon('operator', ['operator', 'start', '--init'], env('operator'))
  })

  afterAll(async () => {
    await cluster.stopAll()
    await directory.remove()
  })

  it('a second run keeps the keystore and the signup', async () => {
    const [keygen, signup] = await runSteps()
    expect(keygen).not.toHaveProperty('existing')
    expect(signup).toEqual({ key: 0, stateIndex: 0 })
    const [keygenAgain, signupAgain] = await runSteps()
    expect(keygenAgain).toEqual({ ...keygen, existing: true })
    expect(signupAgain).toEqual({ key: 0, stateIndex: 0, existing: true })
  })

  it('without --if-missing, keygen still refuses to replace a keystore', async () => {
    const result = await cluster.run(['voter', 'keygen'], env(voter().name))
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error: a keystore already exists at .*voter\.keystore\n$/)
  })

  it('keygen --if-missing opens the keystore it keeps: a wrong passphrase fails there', async () => {
    const result = await cluster.run(['voter', 'keygen', '--if-missing'], { ...env(voter().name), MACI_ANON_PASSPHRASE: 'not the passphrase' })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })
})
