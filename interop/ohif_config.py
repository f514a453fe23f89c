"""OHIF Viewer's ``app-config.js`` for the check: one DICOMweb source, same origin.

Served by :mod:`interop.web` in place of the dist's own config. The data source
is the page's own origin + ``/dicom-web`` (the web server proxies it to Orthanc),
so no port is written into it and the browser needs no CORS.
"""

from __future__ import annotations

SOURCE_NAME = "orthanc"

APP_CONFIG = """\
/* app-config.js of respond's interop check (interop/ohif_config.py) */
(function () {
  const root = window.location.origin + '/dicom-web';
  window.config = {
    routerBasename: '/',
    extensions: [],
    modes: [],
    customizationService: {},
    showStudyList: true,
    maxNumberOfWebWorkers: 2,
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: false,
    showLoadingIndicator: true,
    strictZSpacingForVolumeViewport: true,
    investigationalUseDialog: { option: 'never' },
    maxNumRequests: { interaction: 20, thumbnail: 4, prefetch: 4 },
    showErrorDetails: 'always',
    defaultDataSourceName: '%(source)s',
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: '%(source)s',
        configuration: {
          friendlyName: 'Orthanc (respond interop check)',
          name: '%(source)s',
          wadoUriRoot: root,
          qidoRoot: root,
          wadoRoot: root,
          qidoSupportsIncludeField: false,
          imageRendering: 'wadors',
          thumbnailRendering: 'wadors',
          enableStudyLazyLoad: true,
          supportsFuzzyMatching: false,
          supportsWildcard: true,
          staticWado: false,
          dicomUploadEnabled: false,
          omitQuotationForMultipartRequest: true,
          bulkDataURI: { enabled: true, relativeResolution: 'studies' },
        },
      },
    ],
  };
})();
"""


def app_config_js() -> str:
    """Return the ``app-config.js`` the check serves."""
    return APP_CONFIG % {"source": SOURCE_NAME}
