// K6_WEB_DASHBOARD* and `--out web-dashboard=…`: k6's names, our defaults (127.0.0.1:5665, 2 s),
// one clear ConfigError (exit 104) for a bad value; the output registry report/ plugs into.
import { describe, expect, it } from 'vitest';
import { webDashboardFromEnv, webDashboardFromOut } from '../../../engine/config/index.ts';
import { ConfigError } from '../../../engine/errors.ts';
import { createOutputs } from '../../../engine/outputs/index.ts';
import { registerReportOutputs } from '../../../report/outputs.ts';

describe('web dashboard settings', () => {
  it('defaults, env and --out keys', () => {
    expect(webDashboardFromEnv({})).toEqual({ enabled: false, host: '127.0.0.1', port: 5665, periodMs: 2000, open: false, export: '' });
    const env = webDashboardFromEnv({ K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_PORT: '0', K6_WEB_DASHBOARD_PERIOD: '1s', K6_WEB_DASHBOARD_EXPORT: 'r.html' });
    expect(env).toMatchObject({ enabled: true, port: 0, periodMs: 1000, export: 'r.html' });
    expect(webDashboardFromOut('port=7000&period=500ms,open', env)).toMatchObject({ enabled: true, port: 7000, periodMs: 500, open: true, export: 'r.html' });
  });

  it('a bad value names the variable or the key', () => {
    expect(() => webDashboardFromEnv({ K6_WEB_DASHBOARD_PORT: 'http' })).toThrow(ConfigError);
    expect(() => webDashboardFromEnv({ K6_WEB_DASHBOARD_PORT: '70000' })).toThrow(/K6_WEB_DASHBOARD_PORT: 70000 is not a port/);
    expect(() => webDashboardFromEnv({ K6_WEB_DASHBOARD_PERIOD: 'soon' })).toThrow(/K6_WEB_DASHBOARD_PERIOD: "soon" is not a duration/);
    expect(() => webDashboardFromEnv({ K6_WEB_DASHBOARD: 'maybe' })).toThrow(/K6_WEB_DASHBOARD: "maybe" is not a boolean/);
    expect(() => webDashboardFromOut('colour=red', webDashboardFromEnv({}))).toThrow(/unknown key "colour"/);
  });

  it('the registry: html and web-dashboard once report/ registers them', () => {
    registerReportOutputs();
    const outs = createOutputs(['html=r.html', 'web-dashboard=port=0'], { cwd: '/tmp' });
    expect(outs.map((o) => o.description)).toEqual(['html (/tmp/r.html)', 'web-dashboard (http://127.0.0.1:0/)']);
    expect(createOutputs([], { cwd: '/tmp', env: { K6_WEB_DASHBOARD_EXPORT: 'x.html' } }).map((o) => o.description)).toEqual(['html (/tmp/x.html)']);
    expect(createOutputs([], { cwd: '/tmp', env: { K6_WEB_DASHBOARD: '1' } }).map((o) => o.description)).toEqual(['web-dashboard (http://127.0.0.1:5665/)']);
    expect(() => createOutputs(['html'], { cwd: '/tmp' })).toThrow(/"html" needs a file name/);
    expect(() => createOutputs(['nope'], { cwd: '/tmp' })).toThrow(/available types are: json, csv, junit, segment, experimental-prometheus-rw, influxdb, html, web-dashboard/);
  });
});
