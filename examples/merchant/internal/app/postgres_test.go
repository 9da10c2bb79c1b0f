package app_test

import (
	"testing"
)

func TestEndToEnd_Postgres_EveryOrderPaidFromOutsideReachesTheShopOnce(t *testing.T) {
	endToEnd(t, newRig(t, pgDatabase(t)), 20)
}
