package app

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics returns the Prometheus handler of the App's Stats (its own
// registry, so that several Apps in one test process do not collide):
// orders created and settled (paid_late: an expired order paid after all,
// an operator's alert), payments detected by path (late ones included),
// payout outcomes,
// shop webhook deliveries, invoices on the keyless watcher, plus the Go
// runtime and process collectors.
func (a *App) Metrics() http.Handler {
	reg := prometheus.NewRegistry()
	counter := func(name, help string, v *atomic.Int64, labels prometheus.Labels) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return float64(v.Load()) }))
	}
	s := a.Stats
	counter("merchant_orders_created_total", "Orders whose invoice was created.", &s.OrdersCreated, nil)
	const settledHelp = "Orders moved, by the status moved to (paid or expired from created; paid_late from expired)."
	counter("merchant_orders_settled_total", settledHelp, &s.OrdersPaid, prometheus.Labels{"status": "paid"})
	counter("merchant_orders_settled_total", settledHelp, &s.OrdersExpired, prometheus.Labels{"status": "expired"})
	counter("merchant_orders_settled_total", settledHelp, &s.OrdersPaidLate, prometheus.Labels{"status": "paid_late"})
	for path, v := range map[string]*atomic.Int64{"stream": &s.PaidByStream, "webhook": &s.PaidByWebhook, "reconciler": &s.PaidReconciler, "watcher": &s.PaidByWatcher} {
		counter("merchant_payments_detected_total", "Payments detected (paid and paid_late), by the path that saw them first.", v, prometheus.Labels{"path": path})
	}
	counter("merchant_payouts_total", "Payouts that reached a final state, by outcome.", &s.PayoutsSucceeded, prometheus.Labels{"outcome": "succeeded"})
	counter("merchant_payouts_total", "Payouts that reached a final state, by outcome.", &s.PayoutsFailed, prometheus.Labels{"outcome": "failed"})
	counter("merchant_webhook_deliveries_total", "Deliveries to shops' webhook URLs, by outcome (a failed one is retried).", &s.DeliveriesOK, prometheus.Labels{"outcome": "ok"})
	counter("merchant_webhook_deliveries_total", "Deliveries to shops' webhook URLs, by outcome (a failed one is retried).", &s.DeliveriesFailed, prometheus.Labels{"outcome": "failed"})
	if a.keyless != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "merchant_keyless_invoices_watching", Help: "Keyless invoices on the shared watcher."},
			func() float64 { return float64(a.keyless.Watching()) }))
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
