package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Gauges reports numbers read at scrape time, such as the pool's and the
// cache's, from whoever owns them.
type Gauges func() map[string]float64

// metrics holds the app's Prometheus registry; each app has its own, so
// nothing is global.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inflight prometheus.Gauge
	hits     sync.Map // hitKey -> *hitSeries: the series answers from the store count in
}

type hitKey struct {
	route  string
	status int
}

type hitSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// hit counts one answer from the store; its series are looked up once per
// route and status, not for every answer (they may come 100,000 a second).
func (m *metrics) hit(route string, status int, elapsed time.Duration) {
	k := hitKey{route, status}
	v, ok := m.hits.Load(k)
	if !ok {
		v, _ = m.hits.LoadOrStore(k, &hitSeries{
			requests: m.requests.WithLabelValues(route, http.MethodGet, statusText(status)),
			latency:  m.latency.WithLabelValues(route, http.MethodGet),
		})
	}
	series := v.(*hitSeries)
	series.requests.Inc()
	series.latency.Observe(elapsed.Seconds())
}

func newMetrics(gauges Gauges) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "planmap_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "planmap_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.inflight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "planmap_http_requests_in_flight", Help: "Requests being served."})
	m.reg.MustRegister(m.requests, m.latency, m.inflight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if gauges != nil {
		m.reg.MustRegister(gaugeCollector{read: gauges, desc: map[string]*prometheus.Desc{}})
	}
	return m
}

// gaugeCollector turns a Gauges func into Prometheus gauges.
type gaugeCollector struct {
	read Gauges
	desc map[string]*prometheus.Desc
}

func (g gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	for name := range g.read() {
		ch <- prometheus.NewDesc(name, name, nil, nil)
	}
}

func (g gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	for name, v := range g.read() {
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, name, nil, nil), prometheus.GaugeValue, v)
	}
}

// middleware counts requests by their route pattern, never the raw path,
// so ids in URLs do not explode the label set.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		m.inflight.Inc()
		defer m.inflight.Dec()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request().Method
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().Status)).Inc()
		m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return nil
	}
}

func (m *metrics) handler() echo.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c echo.Context) error {
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
