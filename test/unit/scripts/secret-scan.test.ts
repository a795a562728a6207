import { describe, expect, it } from 'vitest'
import { lockfileProblems, productionPackages } from '../../../scripts/lockfile-check'
import { entropy, fingerprintOf, scanText, staleEntries } from '../../../scripts/secret-scan'

// Planted secrets, assembled at run time so this file itself holds none of them whole.
const b64 = 'q8Zt3LwP0vYk9RmXbN2cJfH7sA1eGuD4'
const planted = {
  'private-key': `-----BEGIN ${'RSA '}PRIVATE KEY-----`,
  'aws-access-key-id': `key = ${'AKIA'}IOSFODNN7Q2X4KZT`,
  'aws-secret-access-key': `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'}Q2X4KZT9vB`,
  'stripe-live-key': `STRIPE = "${'sk_live_'}51HcXbTq9vLmN3pR7sW2yZ"`,
  'webhook-secret': `secret: ${'whsec_'}${b64}`,
  'github-token': `${'ghp_'}${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'}`,
  'high-entropy-assignment': `const apiKey = '${b64}'`,
}

describe('scanText', () => {
  it.each(Object.entries(planted))('catches a planted %s, with the line and a preview that does not repeat it', (rule, line) => {
    const findings = scanText('src/x.ts', `first line\n${line}\n`)
    expect(findings.map((f) => f.rule)).toContain(rule)
    const f = findings.find((x) => x.rule === rule)
    expect(f).toMatchObject({ path: 'src/x.ts', line: 2 })
    expect(f?.preview.length).toBeLessThan(20)
  })

  it('passes placeholders, words and low-entropy values', () => {
    const text = [
      'secret `whsec_` + base64, e.g. whsec_… or whsec_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      "password: 'souk-demo-password'",
      "const token = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'",
      'STRIPE_SECRET_KEY=sk_test_placeholder',
      'the key starts sk_live_ in production',
      'AKIA_NOT_A_KEY',
    ].join('\n')
    expect(scanText('README.md', text)).toEqual([])
  })

  it('an allowlist entry silences that value in that file only', () => {
    const line = planted['webhook-secret']
    const [finding] = scanText('test/a.test.ts', line).filter((f) => f.rule === 'webhook-secret')
    expect(finding).toBeDefined()
    const allow = [{ path: 'test/a.test.ts', fingerprint: finding?.fingerprint ?? '', reason: 'fixture' }]
    expect(scanText('test/a.test.ts', line, allow).filter((f) => f.rule === 'webhook-secret')).toEqual([])
    expect(scanText('src/b.ts', line, allow).filter((f) => f.rule === 'webhook-secret')).toHaveLength(1)
    expect(fingerprintOf('webhook-secret', b64)).toBe(finding?.fingerprint)
  })

  it('names allowlist entries that no longer match anything', () => {
    const findings = scanText('test/a.test.ts', planted['github-token'])
    const live = { path: 'test/a.test.ts', fingerprint: findings[0]?.fingerprint ?? '', reason: 'fixture' }
    const gone = { path: 'test/a.test.ts', fingerprint: '0000000000000000', reason: 'removed long ago' }
    expect(staleEntries([live, gone], findings)).toEqual([gone])
  })

  it('measures entropy: random base64 is high, repeats and words are low', () => {
    expect(entropy(b64)).toBeGreaterThan(4)
    expect(entropy('aaaaaaaaaaaaaaaaaaaa')).toBe(0)
    expect(entropy('souk-demo-password')).toBeLessThan(4)
  })
})

describe('lockfileProblems', () => {
  const ok = { version: '1.0.0', resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', integrity: 'sha512-abc' }
  it('accepts packages from the npm registry with a sha512 integrity, or with resolved omitted', () => {
    const lock = { lockfileVersion: 3, packages: { '': {}, 'node_modules/a': ok, 'node_modules/b': { version: '2.0.0', integrity: 'sha512-def', dev: true }, 'node_modules/me': { link: true } } }
    expect(lockfileProblems(lock)).toEqual([])
    expect(productionPackages(lock)).toEqual(['a@1.0.0'])
  })

  it('refuses a git or foreign source, a missing or weak integrity, and an old lockfile', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        'node_modules/git': { ...ok, resolved: 'git+ssh://git@github.com/x/y.git#abc' },
        'node_modules/elsewhere': { ...ok, resolved: 'https://evil.example/a.tgz' },
        'node_modules/a/node_modules/sha1': { ...ok, integrity: 'sha1-abc' },
        'node_modules/none': { version: '1.0.0' },
      },
    }
    expect(lockfileProblems(lock).map((p) => p.path)).toEqual(['node_modules/git', 'node_modules/elsewhere', 'node_modules/a/node_modules/sha1', 'node_modules/none'])
    expect(lockfileProblems({ lockfileVersion: 1 })).toHaveLength(1)
  })
})
