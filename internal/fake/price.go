package fake

// Prices and conversions. The fake has one price, usdCentsPerBTC, and no
// dealer spread. Conversions use integer math and always round in Blink's
// favour, as the real dealer does:
//   - cents a USD wallet pays for sats:        ceil(sats * price / 1e8)
//   - cents a USD wallet receives for sats:    floor(sats * price / 1e8)
//   - sats an invoice asks for a cent amount:  ceil(cents * 1e8 / price)
//   - sats a USD wallet's cents are worth:     floor(cents * 1e8 / price)

const satsPerBTC = 100_000_000

// SetPrice sets the BTC price in US cents per bitcoin.
func (s *Server) SetPrice(usdCentsPerBTC int64) {
	if usdCentsPerBTC <= 0 {
		panic("blinktest: price must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.price = usdCentsPerBTC
	s.changed()
}

// Price returns the BTC price in US cents per bitcoin.
func (s *Server) Price() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.price
}

func mulDivFloor(a, b, c int64) int64 {
	// Amounts are at most 1e13 and prices far below 1e9 cents, but guard
	// against overflow with 128-bit-free splitting.
	q := (a / c) * b
	r := (a % c) * b / c
	return q + r
}

func mulDivCeil(a, b, c int64) int64 {
	f := mulDivFloor(a, b, c)
	if (a%c)*b%c != 0 {
		return f + 1
	}
	return f
}

// centsToPay is what a USD wallet pays for sats. Callers hold s.mu.
func (s *Server) centsToPay(sats int64) int64 { return mulDivCeil(sats, s.price, satsPerBTC) }

// centsReceived is what a USD wallet receives for sats. Callers hold s.mu.
func (s *Server) centsReceived(sats int64) int64 { return mulDivFloor(sats, s.price, satsPerBTC) }

// satsForCents is what an invoice for cents asks in sats. Callers hold s.mu.
func (s *Server) satsForCents(cents int64) int64 { return mulDivCeil(cents, satsPerBTC, s.price) }

// satsWorth is what cents are worth in sats. Callers hold s.mu.
func (s *Server) satsWorth(cents int64) int64 { return mulDivFloor(cents, satsPerBTC, s.price) }

// PriceOffset is the decimal offset of sat prices (btcSatPrice and
// settlement prices), as the real server uses: a price is base / 10^offset.
const PriceOffset = 12

// satPriceBase is the price of one sat in US cents, times 10^12.
// Callers hold s.mu.
func (s *Server) satPriceBase() int64 { return s.price * 10_000 } // price/1e8 * 1e12
