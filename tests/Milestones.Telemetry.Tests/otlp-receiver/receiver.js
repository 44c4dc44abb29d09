// A minimal OTLP/HTTP receiver (protobuf) for the telemetry tests: it stands where a collector would, decodes every
// export request with the OTLP schema and prints one JSON line per decoded item on stdout:
//   {"listening": <port>}                                          once, first
//   {"signal": "span", "traceId", "spanId", "parentSpanId", "name", "kind", "scope", "service", "attributes", "links": [{"traceId", "spanId"}]}
//   {"signal": "metric", "name", "unit", "scope", "service", "points": [{"attributes", "value" | "count"/"sum"}]}
//   {"signal": "log", "traceId", "spanId", "severity", "body", "category", "service"}
// The schema is the generated protobuf root of @opentelemetry/otlp-transformer 0.57 (later versions dropped it).
// Usage: node receiver.js [port]   (0 or none: a free port)
'use strict';

const http = require('node:http');
const path = require('node:path');

// Loaded by path: the package does not export its generated code.
const root = require(path.join(__dirname, 'node_modules', '@opentelemetry', 'otlp-transformer', 'build', 'src', 'generated', 'root.js'));
const collector = root.opentelemetry.proto.collector;
const decoders = {
  '/v1/traces': collector.trace.v1.ExportTraceServiceRequest,
  '/v1/metrics': collector.metrics.v1.ExportMetricsServiceRequest,
  '/v1/logs': collector.logs.v1.ExportLogsServiceRequest,
};
const responses = {
  '/v1/traces': collector.trace.v1.ExportTraceServiceResponse,
  '/v1/metrics': collector.metrics.v1.ExportMetricsServiceResponse,
  '/v1/logs': collector.logs.v1.ExportLogsServiceResponse,
};

const hex = (bytes) => (bytes && bytes.length ? Buffer.from(bytes).toString('hex') : '');

function value(any) {
  if (!any) return null;
  if (any.stringValue !== undefined && any.stringValue !== null && any.stringValue !== '') return any.stringValue;
  if (any.boolValue !== undefined && any.boolValue !== null && any.boolValue !== false) return any.boolValue;
  if (any.intValue !== undefined && any.intValue !== null) return Number(any.intValue);
  if (any.doubleValue !== undefined && any.doubleValue !== null) return any.doubleValue;
  if (any.arrayValue) return (any.arrayValue.values || []).map(value);
  return any.stringValue ?? any.boolValue ?? null;
}

function attributes(list) {
  const result = {};
  for (const kv of list || []) result[kv.key] = value(kv.value);
  return result;
}

const print = (item) => process.stdout.write(JSON.stringify(item) + '\n');

function spans(request) {
  for (const resourceSpans of request.resourceSpans || []) {
    const service = attributes(resourceSpans.resource && resourceSpans.resource.attributes)['service.name'];
    for (const scopeSpans of resourceSpans.scopeSpans || []) {
      for (const span of scopeSpans.spans || []) {
        print({
          signal: 'span',
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name,
          kind: span.kind,
          scope: scopeSpans.scope && scopeSpans.scope.name,
          service,
          attributes: attributes(span.attributes),
          links: (span.links || []).map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
        });
      }
    }
  }
}

function points(metric) {
  const data = metric.sum || metric.gauge;
  if (data) {
    return (data.dataPoints || []).map((p) => ({
      attributes: attributes(p.attributes),
      value: p.asDouble !== undefined && p.asDouble !== null && p.asDouble !== 0 ? p.asDouble : Number(p.asInt || 0),
    }));
  }
  if (metric.histogram) {
    return (metric.histogram.dataPoints || []).map((p) => ({
      attributes: attributes(p.attributes),
      count: Number(p.count || 0),
      sum: p.sum || 0,
    }));
  }
  return [];
}

function metrics(request) {
  for (const resourceMetrics of request.resourceMetrics || []) {
    const service = attributes(resourceMetrics.resource && resourceMetrics.resource.attributes)['service.name'];
    for (const scopeMetrics of resourceMetrics.scopeMetrics || []) {
      for (const metric of scopeMetrics.metrics || []) {
        print({
          signal: 'metric',
          name: metric.name,
          unit: metric.unit,
          scope: scopeMetrics.scope && scopeMetrics.scope.name,
          service,
          points: points(metric),
        });
      }
    }
  }
}

function logs(request) {
  for (const resourceLogs of request.resourceLogs || []) {
    const service = attributes(resourceLogs.resource && resourceLogs.resource.attributes)['service.name'];
    for (const scopeLogs of resourceLogs.scopeLogs || []) {
      for (const record of scopeLogs.logRecords || []) {
        print({
          signal: 'log',
          traceId: hex(record.traceId),
          spanId: hex(record.spanId),
          severity: record.severityText,
          body: value(record.body),
          category: scopeLogs.scope && scopeLogs.scope.name,
          service,
        });
      }
    }
  }
}

const handlers = { '/v1/traces': spans, '/v1/metrics': metrics, '/v1/logs': logs };

const server = http.createServer((req, res) => {
  const decoder = decoders[req.url];
  if (req.method !== 'POST' || !decoder) {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let request;
    try {
      request = decoder.decode(Buffer.concat(chunks));
    } catch (error) {
      process.stderr.write(`cannot decode ${req.url} (${req.headers['content-type']}): ${error.message}\n`);
      res.writeHead(400).end();
      return;
    }
    handlers[req.url](request);
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end(Buffer.from(responses[req.url].encode({}).finish()));
  });
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => print({ listening: server.address().port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
