/**
 * `aetos-load k8s <scenario|script> --parallelism N -O DIR`: ready-to-apply Kubernetes manifests for
 * one test split over N pods (DESIGN.md D11), two ways:
 *   DIR/k6-operator/  for k6 users: a ConfigMap with the bundle and a k6-operator TestRun
 *                     (k6.io/v1alpha1): parallelism, arguments, runner resources and env, separate,
 *                     cleanup. Each k6 runner judges only its own share (the operator's limit).
 *   DIR/engine/       for the engine: a ConfigMap (bundle + deploy/engine/*.sh), a ReadWriteMany
 *                     volume for the results, an Indexed Job of N pods (pod i runs segment i of
 *                     "0,1/N,…,1", all released together by a barrier on the volume and an optional
 *                     start time) and a merge Job that judges the whole test (aetos-load merge).
 *   DIR/README.md     how to apply them and read the result.
 * Each folder has a kustomization.yaml (`kubectl apply -k DIR/engine`). Resources default to the
 * guide's container limits (1 CPU, 2 GB); every value has a flag.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { BundleError, bundleToString } from '../engine/build/bundle.ts';
import { workerSegments } from '../engine/execution/segment.ts';

const root = path.resolve(import.meta.dirname, '..');
/** A ConfigMap holds at most 1 MiB (etcd's object limit). */
const CONFIGMAP_LIMIT = 1024 * 1024;

const usage = `usage: aetos-load k8s <scenario|script> --parallelism N -O DIR [flags]

Writes DIR/k6-operator/ (ConfigMap + k6-operator TestRun), DIR/engine/ (ConfigMap, results volume,
Indexed Job of N engine pods, merge Job) and DIR/README.md.

flags:
  -p, --parallelism N        pods (segments), required
  -O, --output DIR           where the manifests go, required
  --name NAME                object name prefix (default: the scenario's name)
  --namespace NS             metadata.namespace of every object (default: none, kubectl's current)
  --base-url URL             BASE_URL of the system under test (default: none; the scenarios' own default)
  --profile NAME             PROFILE (default: standard)
  -e, --env K=V              more environment for the test (repeatable)
  --arguments="FLAGS"        more run flags, for k6 (TestRun arguments) and the engine pods
  --image IMAGE              engine image (default: aetos-load:latest, docker/aetos-load.Dockerfile)
  --engine-command CMD       how the image runs aetos-load (default: aetos-load)
  --k6-image IMAGE           k6 runner image (default: grafana/k6:latest)
  --cpu Q / --memory Q       limits per pod (default: 1 / 2Gi, the guide's per-container limits)
  --cpu-request Q / --memory-request Q   requests (default: the limits)
  --start-at TIME            engine pods start no earlier: ISO time, epoch seconds, or +SECONDS from now
  --barrier-timeout S        how long a pod waits for the others (default: 600)
  --deadline S               activeDeadlineSeconds of the Jobs (default: 7200)
  --storage Q                size of the results volume (default: 1Gi)
  --storage-class NAME       its storageClassName (it must offer ReadWriteMany)
  --no-volume                no results volume, barrier nor merge Job: segments only in the pods' logs
  --separate                 TestRun: one runner pod per node
  --no-cleanup               TestRun: keep the runner pods (no cleanup: post)
`;

export interface K8sOptions {
  name: string;
  namespace?: string;
  parallelism: number;
  /** The bundled k6 script. */
  bundle: string;
  baseUrl?: string;
  profile: string;
  env: Record<string, string>;
  arguments: string;
  image: string;
  engineCommand: string;
  k6Image: string;
  cpu: string;
  memory: string;
  cpuRequest: string;
  memoryRequest: string;
  /** Epoch seconds. */
  startAt?: number;
  barrierTimeout: number;
  deadline: number;
  storage: string;
  storageClass?: string;
  volume: boolean;
  separate: boolean;
  cleanup: boolean;
  /** A folder per run on the results volume, so a later run never mixes with this one's files. */
  runId: string;
}

type Obj = Record<string, unknown>;

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function meta(o: K8sOptions, name: string, component: string): Obj {
  return {
    name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    labels: { 'app.kubernetes.io/name': 'aetos-load', 'app.kubernetes.io/instance': o.name, 'app.kubernetes.io/component': component },
  };
}

function resources(o: K8sOptions): Obj {
  return { limits: { cpu: o.cpu, memory: o.memory }, requests: { cpu: o.cpuRequest, memory: o.memoryRequest } };
}

function testEnv(o: K8sOptions): { name: string; value: string }[] {
  const env: Record<string, string> = { ...(o.baseUrl ? { BASE_URL: o.baseUrl } : {}), PROFILE: o.profile, ...o.env };
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

/** The k6-operator's objects: the bundle and a TestRun of `parallelism` runners. */
export function k6OperatorManifests(o: K8sOptions): Record<string, Obj> {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(o, `${o.name}-k6`, 'k6-script'), data: { 'test.js': o.bundle } };
  const spec: Obj = {
    parallelism: o.parallelism,
    script: { configMap: { name: `${o.name}-k6`, file: 'test.js' } },
    arguments: o.arguments,
    separate: o.separate,
    runner: { image: o.k6Image, env: testEnv(o), resources: resources(o) },
  };
  if (!o.arguments) delete spec.arguments;
  if (o.cleanup) spec.cleanup = 'post';
  const testRun = { apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', metadata: meta(o, o.name, 'k6-testrun'), spec };
  return { 'configmap.yaml': configMap, 'testrun.yaml': testRun };
}

/** The engine's objects: bundle + scripts, results volume, the Indexed Job of segments, the merge Job. */
export function engineManifests(o: K8sOptions, scripts: { runSegment: string; merge: string }): Record<string, Obj> {
  const segments = workerSegments(o.parallelism);
  const sequence = (segments[0] as { sequence: string }).sequence;
  const results = `/results/${o.runId}`;
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(o, `${o.name}-engine`, 'engine-script'),
    data: { 'test.js': o.bundle, 'run-segment.sh': scripts.runSegment, 'merge.sh': scripts.merge },
  };
  const scriptVolume = { name: 'aetos', configMap: { name: `${o.name}-engine` } };
  const resultsVolume = { name: 'results', persistentVolumeClaim: { claimName: `${o.name}-results` } };
  const mounts = [{ name: 'aetos', mountPath: '/aetos', readOnly: true }, ...(o.volume ? [{ name: 'results', mountPath: '/results' }] : [])];
  const segmentEnv = [
    { name: 'SEGMENTS', value: segments.map((s) => s.segment).join(' ') },
    { name: 'SEQUENCE', value: sequence },
    { name: 'PARALLELISM', value: String(o.parallelism) },
    { name: 'RESULTS', value: o.volume ? results : '' },
    { name: 'BARRIER_TIMEOUT', value: String(o.barrierTimeout) },
    ...(o.startAt !== undefined ? [{ name: 'AETOS_START_AT', value: String(o.startAt) }] : []),
    { name: 'AETOS_LOAD', value: o.engineCommand },
    { name: 'AETOS_ARGS', value: o.arguments },
    { name: 'SCRIPT', value: '/aetos/test.js' },
    ...testEnv(o),
  ];
  const segmentsJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(o, `${o.name}-segments`, 'engine-segments'),
    spec: {
      completionMode: 'Indexed',
      completions: o.parallelism,
      parallelism: o.parallelism,
      // A segment run twice would count twice (the merge refuses the duplicate): no retries.
      backoffLimit: 0,
      activeDeadlineSeconds: o.deadline,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'aetos-load', 'app.kubernetes.io/instance': o.name, 'app.kubernetes.io/component': 'engine-segment' } },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'segment', image: o.image, command: ['sh', '/aetos/run-segment.sh'], env: segmentEnv, resources: resources(o), volumeMounts: mounts }],
          volumes: [scriptVolume, ...(o.volume ? [resultsVolume] : [])],
        },
      },
    },
  };
  const out: Record<string, Obj> = { 'configmap.yaml': configMap, 'job-segments.yaml': segmentsJob };
  if (!o.volume) return out;
  out['pvc.yaml'] = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(o, `${o.name}-results`, 'engine-results'),
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: o.storage } },
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
    },
  };
  out['job-merge.yaml'] = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(o, `${o.name}-merge`, 'engine-merge'),
    spec: {
      // The verdict is the Job's outcome (Complete: passed, Failed: exit 99 or a merge error): no retries.
      backoffLimit: 0,
      activeDeadlineSeconds: o.deadline,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'aetos-load', 'app.kubernetes.io/instance': o.name, 'app.kubernetes.io/component': 'engine-merge' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'merge',
              image: o.image,
              command: ['sh', '/aetos/merge.sh'],
              env: [
                { name: 'RESULTS', value: results },
                { name: 'PARALLELISM', value: String(o.parallelism) },
                { name: 'AETOS_LOAD', value: o.engineCommand },
                { name: 'WAIT_TIMEOUT', value: String(o.deadline) },
              ],
              resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '256Mi' } },
              volumeMounts: mounts,
            },
          ],
          volumes: [scriptVolume, resultsVolume],
        },
      },
    },
  };
  return out;
}

function kustomization(files: string[], namespace?: string): Obj {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...(namespace ? { namespace } : {}), resources: files };
}

export function readme(o: K8sOptions): string {
  const ns = o.namespace ? ` -n ${o.namespace}` : '';
  const sel = `-l job-name=${o.name}-segments`;
  return `# ${o.name} on Kubernetes: ${o.parallelism} pods

Written by \`aetos-load k8s\` (see docs/distributed.md in the aetos-load repository). Regenerate
for every run: the engine pods keep their results under a run folder (\`${o.runId}\`) of the volume.

## The engine, judged as one test (\`engine/\`)

Needs the engine image \`${o.image}\` (docker/aetos-load.Dockerfile) where the pods can pull it${o.volume ? ', and a storage class that offers ReadWriteMany volumes' : ''}.

\`\`\`sh
kubectl apply${ns} -k engine/
kubectl wait${ns} --for=condition=complete --timeout=${o.deadline}s job/${o.name}-segments
${
  o.volume
    ? `kubectl wait${ns} --for=condition=complete --timeout=600s job/${o.name}-merge   # Complete: passed; Failed: thresholds crossed (99)
kubectl logs${ns} job/${o.name}-merge            # the whole test's summary and "verdict: exit code N"`
    : ''
}
\`\`\`

Pod \`i\` of \`job/${o.name}-segments\` runs segment \`i\` of the sequence \`${workerSegments(o.parallelism)[0]?.sequence}\`
(from \`JOB_COMPLETION_INDEX\`)${o.volume ? ', waits until every pod has arrived (a barrier on the results volume)' : ''}${o.startAt !== undefined ? ` and not before ${new Date(o.startAt * 1000).toISOString()}` : ''},
and prints its result as one \`@aetos-load-segment {…}\` line in its log${o.volume ? ` and to \`/results/${o.runId}/segment-i.json\`` : ''}.
A pod's own exit code is 0 even when its share crosses a threshold: only the whole test is judged.
${
  o.volume
    ? `
The merge Job waits for the ${o.parallelism} results, then writes \`summary.txt\`, \`summary.json\` (k6's summary
export), \`junit.xml\`, \`merged.json\` (the merged result) and \`verdict\` (the exit code) next to them.
`
    : ''
}
The same verdict from the pods' logs, on any machine with aetos-load (no volume needed):

\`\`\`sh
kubectl logs${ns} ${sel} --tail=-1 | aetos-load merge --summary-export summary.json --out junit=junit.xml -
echo $?    # 0 passed, 99 a threshold crossed over the whole test, 1 a segment missing or doubled
\`\`\`

(\`--tail=-1\`: with a label selector kubectl prints only the last 10 lines of each pod otherwise.)

## k6 and the k6-operator (\`k6-operator/\`)

Needs the k6-operator installed in the cluster.

\`\`\`sh
kubectl apply${ns} -k k6-operator/
kubectl get${ns} testrun/${o.name} -w          # stage: started … finished
kubectl logs${ns} -l k6_cr=${o.name} --tail=-1 # each runner's own summary
\`\`\`

Each k6 runner judges its thresholds over its own share only; the operator gives no verdict for the
whole test. Use the engine manifests above for that.

## Resources

Every pod: limits cpu ${o.cpu}, memory ${o.memory}; requests cpu ${o.cpuRequest}, memory ${o.memoryRequest}
(\`--cpu\`, \`--memory\`, \`--cpu-request\`, \`--memory-request\`).
`;
}

/** `--start-at`: ISO time, epoch seconds, or +SECONDS from now → epoch seconds. */
function parseStartAt(text: string, now: number): number | string {
  const t = text.trim();
  if (/^\+\d+$/.test(t)) return Math.floor(now / 1000) + Number(t.slice(1));
  if (/^\d{9,}$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : `--start-at "${text}": not an ISO time, epoch seconds or +SECONDS`;
}

const quantity = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Reads the deploy/engine shell scripts the engine manifests carry. */
export function engineScripts(): { runSegment: string; merge: string } {
  return {
    runSegment: readFileSync(path.join(root, 'deploy/engine/run-segment.sh'), 'utf8'),
    merge: readFileSync(path.join(root, 'deploy/engine/merge.sh'), 'utf8'),
  };
}

/** The files to write under DIR (relative path → content). */
export function renderK8s(o: K8sOptions): Record<string, string> {
  const files: Record<string, string> = {};
  const yamlOf = (obj: Obj) => stringify(obj, { lineWidth: 0 });
  for (const [dir, objects] of [
    ['k6-operator', k6OperatorManifests(o)],
    ['engine', engineManifests(o, engineScripts())],
  ] as const) {
    for (const [file, obj] of Object.entries(objects)) files[`${dir}/${file}`] = yamlOf(obj);
    files[`${dir}/kustomization.yaml`] = yamlOf(kustomization(Object.keys(objects).sort(), o.namespace));
  }
  files['README.md'] = readme(o);
  return files;
}

/** Flags → options (the bundle is read later). Returns a one-line error instead when they are wrong. */
export function parseK8sArgs(argv: string[], now = Date.now()): { target: string; dir: string; o: Omit<K8sOptions, 'bundle'> } | string {
  let a;
  try {
    a = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        parallelism: { type: 'string', short: 'p' },
        output: { type: 'string', short: 'O' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        'base-url': { type: 'string' },
        profile: { type: 'string' },
        env: { type: 'string', short: 'e', multiple: true },
        arguments: { type: 'string' },
        image: { type: 'string' },
        'engine-command': { type: 'string' },
        'k6-image': { type: 'string' },
        cpu: { type: 'string' },
        memory: { type: 'string' },
        'cpu-request': { type: 'string' },
        'memory-request': { type: 'string' },
        'start-at': { type: 'string' },
        'barrier-timeout': { type: 'string' },
        deadline: { type: 'string' },
        storage: { type: 'string' },
        'storage-class': { type: 'string' },
        'no-volume': { type: 'boolean' },
        separate: { type: 'boolean' },
        'no-cleanup': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return (err as Error).message;
  }
  const v = a.values;
  if (v.help) return usage;
  if (a.positionals.length !== 1) return `give one scenario name or script\n${usage}`;
  const target = a.positionals[0] as string;
  const n = Number(v.parallelism);
  if (!v.parallelism || !Number.isInteger(n) || n < 1 || n > 1000) return `--parallelism must be a whole number from 1 to 1000, got "${v.parallelism ?? ''}"`;
  if (!v.output) return '-O DIR (where the manifests go) is required';
  const name = v.name ?? path.basename(target).replace(/\.(ts|js)$/, '').toLowerCase();
  // The longest derived name is NAME-segments, plus the pod suffix Kubernetes adds: keep it a label value.
  if (!dns1123.test(name) || name.length > 40) return `--name "${name}": lower-case letters, digits and dashes, at most 40 characters (it names Kubernetes objects)`;
  if (v.namespace !== undefined && !dns1123.test(v.namespace)) return `--namespace "${v.namespace}" is not a valid namespace name`;
  const env: Record<string, string> = {};
  for (const kv of v.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) return `--env "${kv}": expected K=V`;
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const cpu = v.cpu ?? '1';
  const memory = v.memory ?? '2Gi';
  const q = { '--cpu': cpu, '--memory': memory, '--cpu-request': v['cpu-request'] ?? cpu, '--memory-request': v['memory-request'] ?? memory, '--storage': v.storage ?? '1Gi' };
  for (const [flag, val] of Object.entries(q)) if (!quantity.test(val)) return `${flag} "${val}" is not a Kubernetes quantity (e.g. 500m, 1, 2Gi)`;
  let startAt: number | undefined;
  if (v['start-at'] !== undefined) {
    const s = parseStartAt(v['start-at'], now);
    if (typeof s === 'string') return s;
    startAt = s;
  }
  const seconds = (flag: string, raw: string | undefined, dflt: number): number | string => {
    if (raw === undefined) return dflt;
    const x = Number(raw);
    return Number.isInteger(x) && x > 0 ? x : `${flag} must be a whole number of seconds, got "${raw}"`;
  };
  const barrierTimeout = seconds('--barrier-timeout', v['barrier-timeout'], 600);
  if (typeof barrierTimeout === 'string') return barrierTimeout;
  const deadline = seconds('--deadline', v.deadline, 7200);
  if (typeof deadline === 'string') return deadline;
  return {
    target,
    dir: v.output,
    o: {
      name,
      namespace: v.namespace,
      parallelism: n,
      baseUrl: v['base-url'],
      profile: v.profile ?? 'standard',
      env,
      arguments: v.arguments ?? '',
      image: v.image ?? 'aetos-load:latest',
      engineCommand: v['engine-command'] ?? 'aetos-load',
      k6Image: v['k6-image'] ?? 'grafana/k6:latest',
      cpu,
      memory,
      cpuRequest: q['--cpu-request'],
      memoryRequest: q['--memory-request'],
      startAt,
      barrierTimeout,
      deadline,
      storage: q['--storage'],
      storageClass: v['storage-class'],
      volume: v['no-volume'] !== true,
      separate: v.separate === true,
      cleanup: v['no-cleanup'] !== true,
      runId: new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').toLowerCase(),
    },
  };
}

/** A scenario name (scenarios/NAME.ts) or a script path → the path to bundle. */
function scriptPath(target: string, cwd: string): string {
  const scenario = path.join(root, 'scenarios', `${target}.ts`);
  if (!target.includes('/') && !/\.(ts|js)$/.test(target)) return scenario;
  return path.resolve(cwd, target);
}

export async function main(argv: string[], io: { cwd?: string; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const parsed = parseK8sArgs(argv);
  if (typeof parsed === 'string') {
    if (parsed === usage) {
      stdout.write(usage);
      return 0;
    }
    stderr.write(`aetos-load k8s: ${parsed}\n`);
    return 2;
  }
  let bundle: string;
  try {
    bundle = await bundleToString(scriptPath(parsed.target, cwd));
  } catch (err) {
    stderr.write(`aetos-load k8s: ${err instanceof BundleError ? err.message : `${parsed.target}: ${(err as Error).message}`}\n`);
    return 1;
  }
  if (Buffer.byteLength(bundle) > CONFIGMAP_LIMIT - 64 * 1024) {
    stderr.write(`aetos-load k8s: the bundle of ${parsed.target} is ${Buffer.byteLength(bundle)} bytes; a ConfigMap holds less than 1 MiB\n`);
    return 1;
  }
  const files = renderK8s({ ...parsed.o, bundle });
  const dir = path.resolve(cwd, parsed.dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  stdout.write(`wrote ${Object.keys(files).length} files to ${parsed.dir}: ${Object.keys(files).sort().join(', ')}\nnext: read ${path.join(parsed.dir, 'README.md')}\n`);
  return 0;
}
