// The browser side of `make interop`: headless Chromium (playwright-core) opens
// each study in OHIF Viewer, loads respond's SR as a reader does (double-click
// its thumbnail, accept OHIF's offer to track its measurements) and reports what
// the page holds: the measurements OHIF hydrated (label, image, end points,
// length), whether each is drawn on its image (the viewport shows that image and
// its SVG layer holds the caliper's line), the SR viewport's read-only drawings,
// and any error OHIF showed. Python (interop/judge.py) compares that with the
// calipers the SR asks for; this script only observes.
//
//   node ohif_check.mjs INPUT.json OUTPUT.json
//
// INPUT: { baseUrl, chromium, nodeModules, logDir, timeoutMs, studies: [{ label,
//   studyUid, srSeriesUid, srDescription, screenshot, calipers: [...] }] }

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const VIEWPORT = { width: 1600, height: 1000 };
// what OHIF says in the console when it cannot use an SR's measurements
const CONSOLE_MARKERS = [
  'No measurements found which were rehydratable',
  'Measurement is not rehydratable',
  'Unable to generate tool state',
  'NO SUPPORT FOR SRs',
  'Attempting to hydrate measurements service when no mappings present',
];
const ERROR_TEXTS = ['Something went wrong', 'An error occurred', 'Error boundary'];

const [inputPath, outputPath] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
const require = createRequire(path.join(input.nodeModules, 'package.json'));
const { chromium } = require('playwright-core');

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const progress = text => process.stderr.write(`  ${text}\n`);

async function launch() {
  return chromium.launch({
    executablePath: input.chromium,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 60000,
  });
}

async function poll(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s ${what}`);
    await sleep(250);
  }
}

function watch(page, record) {
  const log = [];
  const note = line => {
    log.push(`${new Date().toISOString()} ${line}`);
  };
  page.on('console', message => {
    const text = message.text();
    note(`[${message.type()}] ${text}`);
    for (const marker of CONSOLE_MARKERS) {
      if (text.includes(marker) && !record.consoleMarkers.includes(marker)) record.consoleMarkers.push(marker);
    }
  });
  page.on('pageerror', error => {
    note(`[pageerror] ${error.stack || error.message}`);
    record.pageErrors.push(String(error.message).slice(0, 300));
  });
  page.on('requestfailed', request => {
    note(`[requestfailed] ${request.method()} ${request.url()} ${request.failure()?.errorText || ''}`);
  });
  page.on('response', response => {
    if (response.status() >= 400) {
      note(`[http ${response.status()}] ${response.request().method()} ${response.url()}`);
      if (response.url().includes('/dicom-web/')) record.httpErrors.push(`${response.status()} ${response.url()}`);
    }
  });
  return log;
}

async function openStudy(page, study) {
  await page.goto(`${input.baseUrl}/viewer?StudyInstanceUIDs=${encodeURIComponent(study.studyUid)}`, {
    waitUntil: 'domcontentloaded',
  });
  await page.waitForFunction(
    srSeriesUid =>
      !!window.services?.displaySetService?.getActiveDisplaySets().some(d => d.SeriesInstanceUID === srSeriesUid),
    study.srSeriesUid,
    { timeout: input.timeoutMs },
  ).catch(() => {
    throw new Error('OHIF did not list the SR series among the study\'s display sets');
  });
  await page.waitForFunction(
    () => (window.cornerstone?.getEnabledElements?.() || []).some(e => e.viewport?.getCurrentImageId?.()),
    null,
    { timeout: input.timeoutMs },
  ).catch(() => {
    throw new Error('OHIF showed no image of the study');
  });
}

async function srState(page, srSeriesUid) {
  return page.evaluate(srSeriesUid => {
    const { displaySetService, viewportGridService } = window.services;
    const ds = displaySetService.getActiveDisplaySets().find(d => d.SeriesInstanceUID === srSeriesUid);
    if (!ds) return { found: false };
    const viewports = Array.from(viewportGridService.getState().viewports.values());
    return {
      found: true,
      uid: ds.displaySetInstanceUID,
      loaded: !!ds.isLoaded,
      rehydratable: ds.isRehydratable ?? null,
      hydrated: !!ds.isHydrated,
      shown: viewports.some(v => (v.displaySetInstanceUIDs || []).includes(ds.displaySetInstanceUID)),
      measurementsInSr: (ds.measurements || []).length,
      loadedInSr: (ds.measurements || []).filter(m => m.loaded).length,
    };
  }, srSeriesUid);
}

async function loadSr(page, study, record) {
  const state = await srState(page, study.srSeriesUid);
  const thumbnail = page.locator(`[id="thumbnail-${state.uid}"]`);
  if ((await thumbnail.count()) === 0) throw new Error('OHIF shows no thumbnail for the SR series');
  await thumbnail.first().scrollIntoViewIfNeeded();
  await thumbnail.first().dblclick();
  const yes = page.locator('[data-cy="yes-hydrate-btn"]');
  const outcome = await poll(
    async () => {
      if (await yes.isVisible().catch(() => false)) return 'prompt';
      const now = await srState(page, study.srSeriesUid);
      if (now.hydrated) return 'hydrated';
      if (now.loaded && now.rehydratable === false && now.shown) return 'not-rehydratable';
      return null;
    },
    input.timeoutMs,
    'for OHIF to load the SR',
  );
  if (outcome === 'prompt') {
    record.prompt = await viewportDialogText(page);
    await yes.click();
    record.promptAccepted = true;
    await waitHydrated(page, study);
  } else if (outcome === 'not-rehydratable') {
    await poll(
      async () => {
        const now = await srState(page, study.srSeriesUid);
        return now.loadedInSr >= now.measurementsInSr ? now : null;
      },
      10000,
      'for the SR viewport to place the SR\'s drawings',
    ).catch(() => null);
    await sleep(1000); // let the SR viewport render its read-only drawings
  }
  record.srDisplaySet = await srState(page, study.srSeriesUid);
}

async function viewportDialogText(page) {
  return page.evaluate(() => {
    const button = document.querySelector('[data-cy="yes-hydrate-btn"]');
    let node = button;
    for (let i = 0; i < 4 && node?.parentElement; i++) node = node.parentElement;
    return (node?.innerText || '').replace(/\s+/g, ' ').trim();
  });
}

async function waitHydrated(page, study) {
  let last = -1;
  let stableSince = 0;
  await poll(
    async () => {
      const state = await srState(page, study.srSeriesUid);
      const count = await page.evaluate(() => window.services.measurementService.getMeasurements().length);
      if (!state.hydrated) return null;
      if (count !== last) {
        last = count;
        stableSince = Date.now();
        return null;
      }
      return Date.now() - stableSince > 1000 ? true : null;
    },
    input.timeoutMs,
    'for OHIF to hydrate the SR',
  );
}

async function collect(page) {
  return page.evaluate(() => {
    const plain = points => Array.from(points || [], p => Array.from(p, Number));
    const sopOf = imageId => {
      const instance = imageId && window.cornerstone.metaData.get('instance', imageId);
      if (instance?.SOPInstanceUID) return instance.SOPInstanceUID;
      const match = /\/instances\/([^/]+)/.exec(imageId || '');
      return match ? match[1] : null;
    };
    const measurements = window.services.measurementService.getMeasurements().map(m => {
      const stats = m.data ? Object.values(m.data).find(v => v && typeof v === 'object' && 'length' in v) : undefined;
      return {
        uid: m.uid,
        label: m.label ?? null,
        toolName: m.toolName ?? null,
        sopInstanceUid: m.SOPInstanceUID ?? sopOf(m.referencedImageId),
        frame: m.frameNumber ?? null,
        points: plain(m.points),
        length: stats?.length ?? null,
        unit: stats?.unit ?? null,
        displayText: m.displayText?.primary ?? [],
      };
    });
    const srAnnotations = window.cornerstoneTools.annotation.state
      .getAllAnnotations()
      .filter(a => a.metadata?.toolName === 'DICOMSRDisplay')
      .map(a => ({
        sopInstanceUid: sopOf(a.metadata.referencedImageId),
        polylines: (a.data?.renderableData?.POLYLINE || []).map(plain),
        labels: (a.data?.labels || []).map(l => `${l.label}: ${l.value}`.trim()),
      }));
    return { measurements, srAnnotations };
  });
}

async function openMeasurementPanel(page) {
  const panel = page.locator('[data-cy="trackedMeasurements-panel"]');
  if (await panel.isVisible().catch(() => false)) return;
  const button = page.locator('[data-cy="trackedMeasurements-btn"]');
  if (await button.count()) {
    await button.first().click();
    await panel.waitFor({ state: 'visible', timeout: 10000 }).catch(() => null);
  }
}

async function jumpTo(page, measurement) {
  const rows = page
    .locator('[data-cy="data-row"]')
    .filter({ has: page.locator('[data-cy="data-row-title"]').getByText(measurement.label || '\u0000', { exact: true }) });
  if (measurement.label && (await rows.count()) === 1) {
    await rows.first().locator('[data-cy="data-row-title"]').click();
    return 'measurement panel';
  }
  await page.evaluate(uid => window.commandsManager.run('jumpToMeasurement', { uid }), measurement.uid);
  return 'jumpToMeasurement command';
}

async function shownOnImage(page, measurement) {
  return page.evaluate(m => {
    const { viewportGridService, cornerstoneViewportService } = window.services;
    const viewportId = viewportGridService.getActiveViewportId();
    const viewport = cornerstoneViewportService.getCornerstoneViewport(viewportId);
    const imageId = viewport?.getCurrentImageId?.();
    const instance = imageId && window.cornerstone.metaData.get('instance', imageId);
    const displayedSop = instance?.SOPInstanceUID ?? (/\/instances\/([^/]+)/.exec(imageId || '') || [])[1] ?? null;
    const line = document.querySelector(`line[data-id="${CSS.escape(m.uid)}-line"]`);
    let offsetPx = null;
    if (line && viewport && m.points.length === 2) {
      const [a, b] = m.points.map(p => viewport.worldToCanvas(p));
      const x1 = Number(line.getAttribute('x1'));
      const y1 = Number(line.getAttribute('y1'));
      const x2 = Number(line.getAttribute('x2'));
      const y2 = Number(line.getAttribute('y2'));
      const d = (p, x, y) => Math.hypot(p[0] - x, p[1] - y);
      offsetPx = Math.min(
        Math.max(d(a, x1, y1), d(b, x2, y2)),
        Math.max(d(a, x2, y2), d(b, x1, y1)),
      );
    }
    return { viewportId, displayedSop, line: !!line, offsetPx };
  }, measurement);
}

async function checkRendered(page, measurement) {
  const method = await jumpTo(page, measurement);
  let seen = null;
  try {
    seen = await poll(
      async () => {
        const now = await shownOnImage(page, measurement);
        seen = now;
        return now.displayedSop === measurement.sopInstanceUid && now.line ? now : null;
      },
      10000,
      'for the viewport to show the caliper',
    );
  } catch {
    // `seen` holds the last look: the checker says what was wrong
  }
  return { ...(seen || {}), method };
}

async function uiErrors(page) {
  return page.evaluate(texts => {
    const found = [];
    const body = document.body?.innerText || '';
    for (const text of texts) if (body.includes(text)) found.push(`page says "${text}"`);
    for (const toast of document.querySelectorAll('[data-sonner-toast][data-type="error"], [data-sonner-toast][data-type="warning"]')) {
      found.push(`notification: ${toast.innerText.replace(/\s+/g, ' ').trim()}`);
    }
    return found;
  }, ERROR_TEXTS);
}

async function screenshot(page, study, record) {
  if (!study.screenshot) return;
  await openMeasurementPanel(page).catch(() => null);
  const first = record.measurements[0];
  if (first) await jumpTo(page, first).catch(() => null);
  await sleep(800);
  fs.mkdirSync(path.dirname(study.screenshot), { recursive: true });
  await page.screenshot({ path: study.screenshot, type: 'png' });
  record.screenshot = study.screenshot;
}

async function checkStudy(browser, study) {
  const record = {
    label: study.label,
    studyUid: study.studyUid,
    srDisplaySet: null,
    prompt: null,
    promptAccepted: false,
    measurements: [],
    srAnnotations: [],
    rendered: {},
    uiErrors: [],
    pageErrors: [],
    httpErrors: [],
    consoleMarkers: [],
    screenshot: null,
    fatal: null,
    seconds: 0,
    consoleLog: path.join(input.logDir, `console-${study.label}.log`),
  };
  const started = Date.now();
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  // OHIF's first-visit tour would cover the viewport
  await context.addInitScript(() => localStorage.setItem('shownTours', JSON.stringify(['basicViewerTour'])));
  const page = await context.newPage();
  const log = watch(page, record);
  await page.route(
    url => !url.href.startsWith(input.baseUrl),
    route => {
      log.push(`${new Date().toISOString()} [blocked] ${route.request().url()}`);
      return route.abort();
    },
  );
  try {
    progress(`${study.label}: opening the study`);
    await openStudy(page, study);
    progress(`${study.label}: loading the SR`);
    await loadSr(page, study, record);
    Object.assign(record, await collect(page));
    if (record.measurements.length) await openMeasurementPanel(page);
    for (const measurement of record.measurements) {
      record.rendered[measurement.uid] = await checkRendered(page, measurement);
    }
    record.uiErrors = await uiErrors(page);
  } catch (error) {
    record.fatal = String(error?.message || error);
    record.uiErrors = await uiErrors(page).catch(() => []);
  }
  try {
    await screenshot(page, study, record);
  } catch (error) {
    log.push(`[screenshot failed] ${error}`);
  }
  record.seconds = Math.round((Date.now() - started) / 100) / 10;
  fs.mkdirSync(input.logDir, { recursive: true });
  fs.writeFileSync(record.consoleLog, log.join('\n') + '\n');
  await context.close();
  return record;
}

async function main() {
  let browser;
  try {
    browser = await launch();
  } catch (error) {
    fs.writeFileSync(outputPath, JSON.stringify({ fatal: `Chromium did not start (${input.chromium}): ${error.message}`, studies: [] }));
    return;
  }
  const studies = [];
  try {
    for (const study of input.studies) studies.push(await checkStudy(browser, study));
  } finally {
    await browser.close();
  }
  fs.writeFileSync(outputPath, JSON.stringify({ fatal: null, studies }, null, 1));
}

main().catch(error => {
  process.stderr.write(`ohif_check: ${error.stack || error}\n`);
  process.exit(2);
});
