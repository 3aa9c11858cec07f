/**
 * The warehouse user's journey through the web UI (wms/frontend/), for k6/browser scenarios: log
 * in, search the inventory, open an item, place an order for one unit, check it in the order list.
 * Every screen is a page load, so each step yields its own Web Vitals (LCP, FCP, CLS, TTFB; INP
 * from the clicks and typing). k6's async browser API: every call that talks to the browser is
 * awaited. A screenshot of the placed order on each VU's first iteration, and of the screen
 * where an iteration failed, under screenshots/ (`load` resolves that in the run folder).
 */
import { check } from 'k6';
import { browser } from 'k6/browser';
import exec from 'k6/execution';
import { password, username } from './auth.ts';
import { baseUrl } from './config.ts';

export async function uiJourney(): Promise<void> {
  const page = await browser.newPage();
  const shot = (what: string) => page.screenshot({ path: `screenshots/${what}-vu${exec.vu.idInTest}-it${exec.vu.iterationInScenario}.png` });
  try {
    await page.goto(`${baseUrl()}/`);
    await page.locator('#username').fill(username());
    await page.locator('#password').fill(password());
    await Promise.all([page.waitForNavigation(), page.locator('#login-submit').click()]);
    await page.locator('#stock tbody tr').first().waitFor();
    check(await page.locator('#summary').textContent(), { 'inventory listed': (t) => /SKUs in stock/.test(t ?? '') });

    const term = `Item ${1 + Math.floor(Math.random() * 9)}`;
    await page.locator('#search-input').type(term);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await page.locator('#stock tbody tr').first().waitFor();

    await Promise.all([page.waitForNavigation(), page.locator('#stock a.sku').first().click()]);
    await page.locator('#item dt').first().waitFor();
    await page.locator('#quantity').fill('1');
    await page.locator('#place-order').click();
    await page.locator('#to-orders').waitFor();
    check(await page.locator('#order-result').textContent(), { 'order reserved': (t) => /reserved/.test(t ?? '') });
    if (exec.vu.iterationInScenario === 0) await shot('order');

    await Promise.all([page.waitForNavigation(), page.locator('#to-orders').click()]);
    await page.locator('#orders tbody tr').first().waitFor();
    check(await page.locator('#orders tbody tr').first().isVisible(), { 'order listed': (v) => v === true });
  } catch (err) {
    await shot('failed').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
}
