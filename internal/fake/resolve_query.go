package fake

import (
	"context"
	"regexp"
	"strings"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

var queryUsernameRe = regexp.MustCompile(`(?i)^[0-9a-z_]{3,50}$`)

func (r *queryResolver) Me(ctx context.Context) (*model.User, error) {
	c := callerFrom(ctx)
	if c.acct == nil {
		return nil, notAuthorized
	}
	return model.NewUser(live{r.s}, c.acct.id), nil
}

func (r *queryResolver) Authorization(ctx context.Context) (*model.Authorization, error) {
	c := callerFrom(ctx)
	if c.key == nil {
		return nil, notAuthorized
	}
	out := &model.Authorization{Scopes: []model.Scope{}}
	for _, sc := range c.key.scopes {
		out.Scopes = append(out.Scopes, model.Scope(sc))
	}
	return out, nil
}

func (r *queryResolver) Globals(context.Context) (*model.Globals, error) {
	return &model.Globals{
		Network:                       model.Network(r.s.cfg.Network),
		LightningAddressDomain:        LightningAddressDomain,
		LightningAddressDomainAliases: []string{},
		NodesIds:                      []string{r.s.NodeID()},
		AccountLimitsByLevel:          []*model.AccountLevelLimits{},
		BuildInformation:              &model.BuildInformation{},
		FeesInformation: &model.FeesInformation{Deposit: &model.DepositFeesInformation{
			MinBankFee: "0", MinBankFeeThreshold: "0", Ratio: "0", Tiers: []*model.DepositFeeTier{},
		}},
		SupportedCountries: []*model.Country{},
	}, nil
}

// currencies is the fake's currencyList; each has a fixed rate to the US
// dollar (displayRates).
var currencies = []*model.Currency{
	{ID: "USD", Name: "US Dollar", Symbol: "$", Flag: "🇺🇸", FractionDigits: 2},
	{ID: "EUR", Name: "Euro", Symbol: "€", Flag: "🇪🇺", FractionDigits: 2},
	{ID: "JPY", Name: "Japanese Yen", Symbol: "¥", Flag: "🇯🇵", FractionDigits: 0},
}

func (r *queryResolver) CurrencyList(context.Context) ([]*model.Currency, error) {
	return currencies, nil
}

// usdPriceOffset is the real server's decimal offset of usdCentPrice.
const usdPriceOffset = 6

// realtimePrice answers realtimePrice in the real server's base/offset
// form: btcSatPrice with offset 12, usdCentPrice with offset 6, in minor
// units of the currency (every currency of currencyList has a fixed rate
// to the US dollar in the fake: displayRates).
func (s *Server) realtimePrice(currency *string) (*model.RealtimePrice, error) {
	cur := "USD"
	if currency != nil && *currency != "" {
		cur = strings.ToUpper(*currency)
	}
	details := currencyByCode(cur)
	if details == nil {
		return nil, inputError("Invalid currency.")
	}
	rate := displayRate(cur)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	return &model.RealtimePrice{
		ID:                         nameUUID(itoa(now.Unix()) + "-" + cur),
		Timestamp:                  now,
		DenominatorCurrency:        cur,
		DenominatorCurrencyDetails: details,
		BtcSatPrice:                &model.PriceOfOneSatInMinorUnit{Base: scalars.SafeInt(rate.applyInt(s.satPriceBase())), Offset: PriceOffset, CurrencyUnit: "MINOR"},
		UsdCentPrice:               &model.PriceOfOneUsdCentInMinorUnit{Base: scalars.SafeInt(rate.applyInt(1_000_000)), Offset: usdPriceOffset, CurrencyUnit: "MINOR"},
	}, nil
}

func (r *queryResolver) RealtimePrice(_ context.Context, currency *string) (*model.RealtimePrice, error) {
	return r.s.realtimePrice(currency)
}

// accountByUsername finds an account; errors as the real server's.
// Callers hold s.mu.
func (s *Server) accountByUsername(username string) (*account, *AppError) {
	if !queryUsernameRe.MatchString(username) {
		return nil, inputError("Invalid value for Username")
	}
	a, ok := s.byUsername[strings.ToLower(username)]
	if !ok {
		return nil, &AppError{Code: "NOT_FOUND", Message: "Account does not exist for username " + strings.ToLower(username)}
	}
	return a, nil
}

func (s *Server) publicWallet(w *wallet) *model.PublicWallet {
	return &model.PublicWallet{ID: w.id, Currency: model.WalletCurrency(w.currency), WalletCurrency: model.WalletCurrency(w.currency)}
}

func (r *queryResolver) AccountDefaultWallet(_ context.Context, username string, walletCurrency *model.WalletCurrency) (*model.PublicWallet, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a, e := s.accountByUsername(username)
	if e == nil {
		e = s.custodialOnly(a)
	}
	if e != nil {
		return nil, e
	}
	id := a.defaultWallet
	if walletCurrency != nil {
		id = a.btcWallet
		if *walletCurrency == model.WalletCurrencyUsd {
			id = a.usdWallet
		}
	}
	return s.publicWallet(s.wallets[id]), nil
}

func (r *queryResolver) UserDefaultWalletID(_ context.Context, username string) (string, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a, e := s.accountByUsername(username)
	if e == nil {
		e = s.custodialOnly(a)
	}
	if e != nil {
		return "", e
	}
	return a.defaultWallet, nil
}

func (r *queryResolver) UsernameAvailable(_ context.Context, username string) (*bool, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !validUsername(username) { // the Username scalar's full rule (resolve_settings.go)
		return nil, inputError("Invalid value for Username")
	}
	_, taken := s.byUsername[strings.ToLower(username)]
	free := !taken
	return &free, nil
}

// invoiceStatus reports an invoice's payment status by hash or request.
func (s *Server) invoiceStatus(hash, request string) (*model.LnInvoicePaymentStatus, *AppError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var inv *invoice
	if request != "" {
		if !lnRequestRe.MatchString(request) {
			return nil, errInvalidLnRequest
		}
		_, found, e := s.lookupRequest(request)
		if e != nil {
			return nil, e
		}
		inv = found
		if inv != nil {
			hash = inv.hash
		}
	} else {
		if !hashRe.MatchString(hash) {
			return nil, inputError("Invalid value for PaymentHash")
		}
		hash = strings.ToLower(hash)
		inv = s.invoices[hash]
	}
	if inv == nil || inv.external {
		return nil, &AppError{Code: "LIGHTNING_PAYMENT_ERROR", Message: "User tried to pay invoice with hash " + hash + ", but it does not exist"}
	}
	st := model.InvoicePaymentStatus(inv.status(s.now()))
	out := &model.LnInvoicePaymentStatus{PaymentHash: &inv.hash, PaymentRequest: &inv.request, Status: &st}
	if inv.paid {
		out.PaymentPreimage = strPtr(inv.preimageHex())
	}
	return out, nil
}

func (r *queryResolver) LnInvoicePaymentStatusByHash(_ context.Context, input model.LnInvoicePaymentStatusByHashInput) (*model.LnInvoicePaymentStatus, error) {
	st, e := r.s.invoiceStatus(input.PaymentHash, "")
	if e != nil {
		return nil, e
	}
	return st, nil
}

func (r *queryResolver) LnInvoicePaymentStatusByPaymentRequest(_ context.Context, input model.LnInvoicePaymentStatusByPaymentRequestInput) (*model.LnInvoicePaymentStatus, error) {
	st, e := r.s.invoiceStatus("", input.PaymentRequest)
	if e == errInvalidLnRequest {
		// The resolver throws the scalar's InputValidationError.
		return nil, inputError(e.Message)
	}
	if e != nil {
		return nil, e
	}
	return st, nil
}

func (r *queryResolver) LnInvoicePaymentStatus(_ context.Context, input model.LnInvoicePaymentStatusInput) (*model.LnInvoicePaymentStatusPayload, error) {
	st, e := r.s.invoiceStatus("", input.PaymentRequest)
	if e != nil {
		return &model.LnInvoicePaymentStatusPayload{Errors: gqlErrors(e)}, nil
	}
	return &model.LnInvoicePaymentStatusPayload{Errors: []model.Error{}, PaymentHash: st.PaymentHash, PaymentRequest: st.PaymentRequest, PaymentPreimage: st.PaymentPreimage, Status: st.Status}, nil
}

// feeQuery runs an on-chain fee estimate; errors go to the top level, as
// the real query resolvers throw them.
func (r *queryResolver) feeQuery(ctx context.Context, p chainPay) (int64, error) {
	p.callerID, p.feeOnly = callerFrom(ctx).accountID(), true
	res := r.s.payOnChain(p)
	if len(res.Errs) > 0 {
		e := res.Errs[0]
		if e == errInvalidWalletForAccount {
			e = unexpected("InvalidWalletForAccountError")
		} else if e.Code == "" {
			e = inputError(e.Message)
		}
		return 0, e
	}
	return res.Tx.Fee, nil
}

func (r *queryResolver) OnChainTxFee(ctx context.Context, address string, amount scalars.SatAmount, speed model.PayoutSpeed, walletID string) (*model.OnChainTxFee, error) {
	fee, err := r.feeQuery(ctx, chainPay{walletID: walletID, address: address, amount: int64(amount), speed: string(speed)})
	if err != nil {
		return nil, err
	}
	return &model.OnChainTxFee{Amount: scalars.SatAmount(fee)}, nil
}

func (r *queryResolver) OnChainUsdTxFee(ctx context.Context, address string, amount scalars.CentAmount, speed model.PayoutSpeed, walletID string) (*model.OnChainUsdTxFee, error) {
	fee, err := r.feeQuery(ctx, chainPay{walletID: walletID, address: address, amount: int64(amount), inCents: true, speed: string(speed)})
	if err != nil {
		return nil, err
	}
	return &model.OnChainUsdTxFee{Amount: scalars.CentAmount(fee)}, nil
}

func (r *queryResolver) OnChainUsdTxFeeAsBtcDenominated(ctx context.Context, address string, amount scalars.SatAmount, speed model.PayoutSpeed, walletID string) (*model.OnChainUsdTxFee, error) {
	fee, err := r.feeQuery(ctx, chainPay{walletID: walletID, address: address, amount: int64(amount), speed: string(speed)})
	if err != nil {
		return nil, err
	}
	return &model.OnChainUsdTxFee{Amount: scalars.CentAmount(fee)}, nil
}
