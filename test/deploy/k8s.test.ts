// `aetos-load k8s`: the manifests are checked offline — the Kubernetes objects against the API's
// schemas (kubernetes-models: ConfigMap, PersistentVolumeClaim, Job), the TestRun against the
// k6-operator TestRun schema in deploy/k6-operator/testrun-crd.yaml (ajv) — and for what they must
// say: an Indexed Job of N pods whose segments are those of "0,1/N,…,1", the guide's resources by
// default and every flag's override, the same bundle in both ConfigMaps; `kubectl kustomize`
// renders each folder when kubectl is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Ajv } from 'ajv';
import { ConfigMap, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { main, parseK8sArgs, renderK8s, type K8sOptions } from '../../cli/k8s.ts';
import { workerSegments } from '../../engine/execution/segment.ts';

type Obj = Record<string, any>;

const root = path.resolve(import.meta.dirname, '../..');
const crd = parse(readFileSync(path.join(root, 'deploy/k6-operator/testrun-crd.yaml'), 'utf8'));
// strictTypes off: a CRD writes a quantity's string pattern beside anyOf [integer, string] (the API
// server's int-or-string), which ajv's strict mode would want inside the string branch.
const ajv = new Ajv({ allErrors: true, strictTypes: false });
ajv.addKeyword('x-kubernetes-int-or-string');
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('date-time', { type: 'string', validate: (t: string) => !Number.isNaN(Date.parse(t)) });
/**
 * The API server's strict field validation: in a structural schema, a field that an object's
 * `properties` do not list is unknown (x-kubernetes-preserve-unknown-fields aside), and
 * `kubectl apply` rejects it. JSON Schema allows it unless told, so every such object is closed.
 */
function strict(schema: Obj): Obj {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Obj).map(([p, s]) => [p, strict(s as Obj)])) : strict(v as Obj);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}
const validateTestRun = ajv.compile(strict(crd.spec.versions[0].schema.openAPIV3Schema));


function options(argv: string[]): K8sOptions {
  const parsed = parseK8sArgs(['heavy', '-O', 'out', ...argv], Date.UTC(2026, 11, 1, 8, 0, 0));
  if (typeof parsed === 'string') throw new Error(parsed);
  return { ...parsed.o, bundle: "import http from 'k6/http';\nexport default function () { http.get(__ENV.BASE_URL); }\n" };
}

/** Every object of the rendered files, validated against its schema; by file. */
function objects(files: Record<string, string>): Record<string, Obj> {
  const out: Record<string, Obj> = {};
  for (const [file, text] of Object.entries(files)) {
    if (!file.endsWith('.yaml') || file.endsWith('kustomization.yaml')) continue;
    const docs = parseAllDocuments(text);
    expect(docs, file).toHaveLength(1);
    const obj = (docs[0] as { toJS(): Obj }).toJS();
    switch (obj.kind) {
      case 'ConfigMap':
        new ConfigMap(obj as never).validate();
        break;
      case 'PersistentVolumeClaim':
        new PersistentVolumeClaim(obj as never).validate();
        break;
      case 'Job':
        new Job(obj as never).validate();
        break;
      case 'TestRun':
        expect(validateTestRun(obj), JSON.stringify(validateTestRun.errors)).toBe(true);
        break;
      default:
        throw new Error(`${file}: unexpected kind ${obj.kind}`);
    }
    out[file] = obj;
  }
  return out;
}

const envOf = (container: Obj) => Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

describe('aetos-load k8s manifests', () => {
  it('defaults: valid objects, an Indexed Job of N segment pods, the guide limits, a merge Job', () => {
    const o = options(['-p', '3', '--base-url', 'http://wms.test:8080', '--start-at', '+90']);
    const files = renderK8s(o);
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'engine/configmap.yaml',
      'engine/job-merge.yaml',
      'engine/job-segments.yaml',
      'engine/kustomization.yaml',
      'engine/pvc.yaml',
      'k6-operator/configmap.yaml',
      'k6-operator/kustomization.yaml',
      'k6-operator/testrun.yaml',
    ]);
    const objs = objects(files);
    const job = objs['engine/job-segments.yaml'] as Obj;
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimit: 0 });
    const pod = job.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe('aetos-load:latest');
    expect(container.command).toEqual(['sh', '/aetos/run-segment.sh']);
    expect(container.resources).toEqual({ limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '1', memory: '2Gi' } });
    const env = envOf(container);
    expect(env.SEGMENTS?.split(' ')).toEqual(workerSegments(3).map((s) => s.segment));
    expect(env.SEQUENCE).toBe('0,1/3,2/3,1');
    expect(env).toMatchObject({ PARALLELISM: '3', BASE_URL: 'http://wms.test:8080', PROFILE: 'standard', SCRIPT: '/aetos/test.js', RESULTS: '/results/20261201t080000z' });
    expect(Number(env.AETOS_START_AT)).toBe(Date.UTC(2026, 11, 1, 8, 1, 30) / 1000);
    // the ConfigMap carries the bundle and the pod scripts from deploy/engine
    const cm = objs['engine/configmap.yaml'] as Obj;
    expect(cm.metadata.name).toBe(pod.volumes[0].configMap.name);
    expect(cm.data['test.js']).toBe(o.bundle);
    expect(cm.data['run-segment.sh']).toBe(readFileSync(path.join(root, 'deploy/engine/run-segment.sh'), 'utf8'));
    expect(cm.data['merge.sh']).toBe(readFileSync(path.join(root, 'deploy/engine/merge.sh'), 'utf8'));
    const pvc = objs['engine/pvc.yaml'] as Obj;
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    const merge = objs['engine/job-merge.yaml'] as Obj;
    expect(merge.spec.template.spec.volumes.map((v: Obj) => v.persistentVolumeClaim?.claimName ?? v.configMap?.name)).toEqual([cm.metadata.name, pvc.metadata.name]);
    expect(envOf(merge.spec.template.spec.containers[0])).toMatchObject({ RESULTS: env.RESULTS, PARALLELISM: '3' });
    // the TestRun: the k6-operator's spec, the same bundle
    const tr = objs['k6-operator/testrun.yaml'] as Obj;
    expect(tr).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', spec: { parallelism: 3, separate: false, cleanup: 'post', script: { configMap: { name: 'heavy-k6', file: 'test.js' } } } });
    expect(tr.spec.runner.resources).toEqual(container.resources);
    expect(envOf(tr.spec.runner)).toEqual({ BASE_URL: 'http://wms.test:8080', PROFILE: 'standard' });
    expect((objs['k6-operator/configmap.yaml'] as Obj).data['test.js']).toBe(o.bundle);
    expect(files['README.md']).toContain('kubectl logs job/heavy-merge');
    expect(files['README.md']).toContain('kubectl logs -l job-name=heavy-segments --tail=-1 | aetos-load merge');
  });

  it('every default has a flag', () => {
    const o = options([
      '-p', '5', '--name', 'night', '--namespace', 'load', '--image', 'reg.example/aetos-load:1.2', '--k6-image', 'grafana/k6:1.0.0',
      '--cpu', '2', '--memory', '4Gi', '--cpu-request', '500m', '--memory-request', '1Gi', '--profile', 'nightly', '-e', 'SEED_USERS=500',
      '--arguments=--tag team=wms', '--separate', '--no-cleanup', '--no-volume', '--deadline', '3600', '--engine-command', 'node /app/bin/aetos-load.js',
    ]);
    const files = renderK8s(o);
    expect(Object.keys(files).filter((f) => f.startsWith('engine/')).sort()).toEqual(['engine/configmap.yaml', 'engine/job-segments.yaml', 'engine/kustomization.yaml']);
    const objs = objects(files);
    for (const obj of Object.values(objs)) expect(obj.metadata.namespace).toBe('load');
    const job = objs['engine/job-segments.yaml'] as Obj;
    expect(job.metadata.name).toBe('night-segments');
    expect(job.spec).toMatchObject({ completions: 5, parallelism: 5, activeDeadlineSeconds: 3600 });
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toBe('reg.example/aetos-load:1.2');
    expect(c.resources).toEqual({ limits: { cpu: '2', memory: '4Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    expect(envOf(c)).toMatchObject({ RESULTS: '', PROFILE: 'nightly', SEED_USERS: '500', AETOS_ARGS: '--tag team=wms', AETOS_LOAD: 'node /app/bin/aetos-load.js' });
    expect(envOf(c).AETOS_START_AT).toBeUndefined();
    expect(job.spec.template.spec.volumes).toHaveLength(1);
    const tr = objs['k6-operator/testrun.yaml'] as Obj;
    expect(tr.spec).toMatchObject({ parallelism: 5, separate: true, arguments: '--tag team=wms', runner: { image: 'grafana/k6:1.0.0' } });
    expect(tr.spec.cleanup).toBeUndefined();
    expect(files['README.md']).not.toContain('job/night-merge');
  });

  it('the validators fail what is wrong (they are not rubber stamps)', () => {
    const objs = objects(renderK8s(options(['-p', '2'])));
    const tr = structuredClone(objs['k6-operator/testrun.yaml'] as Obj);
    tr.spec.paralelism = tr.spec.parallelism;
    delete tr.spec.parallelism;
    expect(validateTestRun(tr)).toBe(false);
    const tr2 = structuredClone(objs['k6-operator/testrun.yaml'] as Obj);
    tr2.spec.cleanup = 'always';
    tr2.spec.runner.resources.limits.memory = 'two gigs';
    expect(validateTestRun(tr2)).toBe(false);
    // where the upstream CRD puts things (checked against grafana/k6-operator, see the schema's header):
    // ports belong to the spec, not to a pod; a pod may be disabled; imagePullPolicy is any string;
    // an env entry needs its name, script.configMap its name
    const at = (edit: (spec: Obj) => void) => {
      const t = structuredClone(objs['k6-operator/testrun.yaml'] as Obj);
      edit(t.spec);
      return validateTestRun(t);
    };
    expect(at((spec) => (spec.ports = [{ containerPort: 6565 }]))).toBe(true);
    expect(at((spec) => (spec.runner.ports = [{ containerPort: 6565 }]))).toBe(false);
    expect(at((spec) => (spec.initializer = { disabled: true }))).toBe(true);
    expect(at((spec) => (spec.starter = { imagePullPolicy: 'IfNotPresent', env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }))).toBe(true);
    expect(at((spec) => spec.runner.env.push({ value: 'no name' }))).toBe(false);
    expect(at((spec) => delete spec.script.configMap.name)).toBe(false);
    expect(at((spec) => (spec.parallelism = 2.5))).toBe(false);
    expect(at((spec) => (spec.separate = 'yes'))).toBe(false);
    const job = structuredClone(objs['engine/job-segments.yaml'] as Obj);
    job.spec.completions = '2';
    expect(() => new Job(job as never).validate()).toThrow(/completions must be integer/);
    // the schema file is itself a well-formed CustomResourceDefinition
    new CustomResourceDefinition(crd).validate();
  });

  it('refuses bad flags with one line', () => {
    expect(parseK8sArgs(['heavy', '-O', 'x'])).toMatch(/^--parallelism must be a whole number from 1 to 1000/);
    expect(parseK8sArgs(['heavy', '-p', '0', '-O', 'x'])).toMatch(/--parallelism/);
    expect(parseK8sArgs(['heavy', '-p', '2'])).toMatch(/-O DIR .* is required/);
    expect(parseK8sArgs(['my_test.js', '-p', '2', '-O', 'x'])).toMatch(/--name "my_test": lower-case letters/);
    expect(parseK8sArgs(['heavy', '-p', '2', '-O', 'x', '--memory', '2GB'])).toBe('--memory "2GB" is not a Kubernetes quantity (e.g. 500m, 1, 2Gi)');
    expect(parseK8sArgs(['heavy', '-p', '2', '-O', 'x', '--start-at', 'soon'])).toMatch(/--start-at "soon": not an ISO time/);
    expect(parseK8sArgs(['heavy', '-p', '2', '-O', 'x', '-e', 'NOVALUE'])).toBe('--env "NOVALUE": expected K=V');
  });
});

describe('aetos-load k8s command', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-k8s-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sink = () => {
    let text = '';
    return { stream: new Writable({ write: (c, _e, cb) => ((text += c), cb()) }), text: () => text };
  };

  it('bundles a scenario and writes the files; kubectl kustomize renders both folders', async () => {
    const out = sink();
    const err = sink();
    const code = await main(['smoke', '-p', '2', '-O', 'm'], { cwd: dir, stdout: out.stream, stderr: err.stream });
    expect(code, err.text()).toBe(0);
    expect(out.text()).toMatch(/^wrote 9 files to m:/);
    const cm = parse(readFileSync(path.join(dir, 'm/engine/configmap.yaml'), 'utf8'));
    expect(cm.data['test.js']).toMatch(/from "k6\/http"|from 'k6\/http'/);
    expect(cm.data['test.js']).toContain('export');
    objects(Object.fromEntries(['engine', 'k6-operator'].flatMap((d) => readdirSync(path.join(dir, 'm', d)).map((f) => [`${d}/${f}`, readFileSync(path.join(dir, 'm', d, f), 'utf8')]))));
    if (!existsSync('/usr/bin/kubectl') && !existsSync('/usr/local/bin/kubectl')) return;
    for (const [sub, kinds] of [
      ['engine', ['ConfigMap', 'Job', 'Job', 'PersistentVolumeClaim']],
      ['k6-operator', ['ConfigMap', 'TestRun']],
    ] as const) {
      const rendered = execFileSync('kubectl', ['kustomize', path.join(dir, 'm', sub)], { encoding: 'utf8' });
      expect(parseAllDocuments(rendered).map((d) => (d.toJS() as Obj).kind).sort()).toEqual([...kinds]);
    }
  });

  it('a script that does not exist: one line, exit 1', async () => {
    const err = sink();
    const code = await main(['nope.js', '-p', '2', '-O', 'm2'], { cwd: dir, stdout: sink().stream, stderr: err.stream });
    expect(code).toBe(1);
    expect(err.text().trim().split('\n')).toHaveLength(1);
    expect(err.text()).toMatch(/^aetos-load k8s: .*nope\.js/);
    expect(existsSync(path.join(dir, 'm2'))).toBe(false);
  });
});
