package fake

import (
	"context"
	"net/url"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

func minutesPtr(m *scalars.Minutes) *int64 {
	if m == nil {
		return nil
	}
	n := int64(*m)
	return &n
}

func lnInvoicePayload(s *Server, inv *invoice, e *AppError) *model.LnInvoicePayload {
	if e != nil {
		return &model.LnInvoicePayload{Errors: gqlErrors(e)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &model.LnInvoicePayload{Errors: []model.Error{}, Invoice: s.toModelInvoice(inv).(*model.LnInvoice)}
}

func noAmountPayload(s *Server, inv *invoice, e *AppError) *model.LnNoAmountInvoicePayload {
	if e != nil {
		return &model.LnNoAmountInvoicePayload{Errors: gqlErrors(e)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &model.LnNoAmountInvoicePayload{Errors: []model.Error{}, Invoice: s.toNoAmountInvoice(inv)}
}

func (r *mutationResolver) LnInvoiceCreate(ctx context.Context, in model.LnInvoiceCreateInput) (*model.LnInvoicePayload, error) {
	inv, e := r.s.createInvoice(invoiceRequest{
		walletID: in.WalletID, callerID: callerFrom(ctx).accountID(), kind: kindSats, amount: int64(in.Amount),
		expiresIn: minutesPtr(in.ExpiresIn), externalID: in.ExternalID, memo: in.Memo,
	})
	return lnInvoicePayload(r.s, inv, e), nil
}

func (r *mutationResolver) LnUsdInvoiceCreate(ctx context.Context, in model.LnUsdInvoiceCreateInput) (*model.LnInvoicePayload, error) {
	inv, e := r.s.createInvoice(invoiceRequest{
		walletID: in.WalletID, callerID: callerFrom(ctx).accountID(), kind: kindCents, usdWallet: true, amount: int64(in.Amount),
		expiresIn: minutesPtr(in.ExpiresIn), externalID: in.ExternalID, memo: in.Memo,
	})
	return lnInvoicePayload(r.s, inv, e), nil
}

func (r *mutationResolver) LnNoAmountInvoiceCreate(ctx context.Context, in model.LnNoAmountInvoiceCreateInput) (*model.LnNoAmountInvoicePayload, error) {
	inv, e := r.s.createInvoice(invoiceRequest{
		walletID: in.WalletID, callerID: callerFrom(ctx).accountID(), kind: kindNoAmount,
		expiresIn: minutesPtr(in.ExpiresIn), externalID: in.ExternalID, memo: in.Memo,
	})
	return noAmountPayload(r.s, inv, e), nil
}

func (r *mutationResolver) LnInvoiceCreateOnBehalfOfRecipient(_ context.Context, in model.LnInvoiceCreateOnBehalfOfRecipientInput) (*model.LnInvoicePayload, error) {
	inv, e := r.s.createInvoice(invoiceRequest{
		walletID: in.RecipientWalletID, forRecipient: true, kind: kindSats, amount: int64(in.Amount),
		expiresIn: minutesPtr(in.ExpiresIn), externalID: in.ExternalID, memo: in.Memo, webhookURL: in.WebhookURL,
	})
	return lnInvoicePayload(r.s, inv, e), nil
}

func (r *mutationResolver) LnUsdInvoiceCreateOnBehalfOfRecipient(_ context.Context, in model.LnUsdInvoiceCreateOnBehalfOfRecipientInput) (*model.LnInvoicePayload, error) {
	inv, e := r.s.createInvoice(invoiceRequest{
		walletID: in.RecipientWalletID, forRecipient: true, kind: kindCents, usdWallet: true, amount: int64(in.Amount),
		expiresIn: minutesPtr(in.ExpiresIn), externalID: in.ExternalID, memo: in.Memo, webhookURL: in.WebhookURL,
	})
	return lnInvoicePayload(r.s, inv, e), nil
}

func (r *mutationResolver) LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient(_ context.Context, in model.LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipientInput) (*model.LnInvoicePayload, error) {
	inv, e := r.s.createInvoice(invoiceRequest{
		walletID: in.RecipientWalletID, forRecipient: true, kind: kindSats, usdWallet: true, amount: int64(in.Amount),
		expiresIn: minutesPtr(in.ExpiresIn), externalID: in.ExternalID, memo: in.Memo, webhookURL: in.WebhookURL,
	})
	return lnInvoicePayload(r.s, inv, e), nil
}

func (r *mutationResolver) LnNoAmountInvoiceCreateOnBehalfOfRecipient(_ context.Context, in model.LnNoAmountInvoiceCreateOnBehalfOfRecipientInput) (*model.LnNoAmountInvoicePayload, error) {
	inv, e := r.s.createInvoice(invoiceRequest{
		walletID: in.RecipientWalletID, forRecipient: true, kind: kindNoAmount,
		expiresIn: minutesPtr(in.ExpiresIn), externalID: in.ExternalID, memo: in.Memo, webhookURL: in.WebhookURL,
	})
	return noAmountPayload(r.s, inv, e), nil
}

func (r *mutationResolver) LnInvoiceCancel(ctx context.Context, in model.LnInvoiceCancelInput) (*model.SuccessPayload, error) {
	if e := r.s.cancelInvoice(callerFrom(ctx).accountID(), in.WalletID, in.PaymentHash); e != nil {
		f := false
		return &model.SuccessPayload{Errors: gqlErrors(e), Success: &f}, nil
	}
	t := true
	return &model.SuccessPayload{Errors: []model.Error{}, Success: &t}, nil
}

func (r *mutationResolver) pay(ctx context.Context, p lnPay) *model.PaymentSendPayload {
	c := callerFrom(ctx)
	p.callerID, p.key = c.accountID(), c.key
	return payPayload(r.s.payLightning(p))
}

func (r *mutationResolver) LnInvoicePaymentSend(ctx context.Context, in model.LnInvoicePaymentInput) (*model.PaymentSendPayload, error) {
	return r.pay(ctx, lnPay{walletID: in.WalletID, paymentRequest: in.PaymentRequest, memo: in.Memo}), nil
}

func (r *mutationResolver) LnNoAmountInvoicePaymentSend(ctx context.Context, in model.LnNoAmountInvoicePaymentInput) (*model.PaymentSendPayload, error) {
	return r.pay(ctx, lnPay{walletID: in.WalletID, paymentRequest: in.PaymentRequest, memo: in.Memo, noAmount: true, amount: int64(in.Amount)}), nil
}

func (r *mutationResolver) LnNoAmountUsdInvoicePaymentSend(ctx context.Context, in model.LnNoAmountUsdInvoicePaymentInput) (*model.PaymentSendPayload, error) {
	return r.pay(ctx, lnPay{walletID: in.WalletID, paymentRequest: in.PaymentRequest, memo: in.Memo, noAmount: true, amount: int64(in.Amount), amountInCents: true}), nil
}

// probe runs a lightning fee probe and returns the fee or the errors.
func (r *mutationResolver) probe(ctx context.Context, p lnPay) (*int64, []model.Error) {
	c := callerFrom(ctx)
	p.callerID, p.key, p.probe = c.accountID(), c.key, true
	res := r.s.payLightning(p)
	if len(res.Errs) > 0 {
		return nil, gqlErrors(res.Errs...)
	}
	return &res.Tx.Fee, []model.Error{}
}

func satPayload(fee *int64, errs []model.Error) *model.SatAmountPayload {
	p := &model.SatAmountPayload{Errors: errs}
	if fee != nil {
		a := scalars.SatAmount(*fee)
		p.Amount = &a
	}
	return p
}

func (r *mutationResolver) LnInvoiceFeeProbe(ctx context.Context, in model.LnInvoiceFeeProbeInput) (*model.SatAmountPayload, error) {
	return satPayload(r.probe(ctx, lnPay{walletID: in.WalletID, paymentRequest: in.PaymentRequest})), nil
}

// LnUsdInvoiceFeeProbe answers the fee in the USD wallet's unit (cents).
func (r *mutationResolver) LnUsdInvoiceFeeProbe(ctx context.Context, in model.LnUsdInvoiceFeeProbeInput) (*model.SatAmountPayload, error) {
	return satPayload(r.probe(ctx, lnPay{walletID: in.WalletID, paymentRequest: in.PaymentRequest})), nil
}

func (r *mutationResolver) LnNoAmountInvoiceFeeProbe(ctx context.Context, in model.LnNoAmountInvoiceFeeProbeInput) (*model.SatAmountPayload, error) {
	return satPayload(r.probe(ctx, lnPay{walletID: in.WalletID, paymentRequest: in.PaymentRequest, noAmount: true, amount: int64(in.Amount)})), nil
}

func (r *mutationResolver) LnNoAmountUsdInvoiceFeeProbe(ctx context.Context, in model.LnNoAmountUsdInvoiceFeeProbeInput) (*model.CentAmountPayload, error) {
	fee, errs := r.probe(ctx, lnPay{walletID: in.WalletID, paymentRequest: in.PaymentRequest, noAmount: true, amount: int64(in.Amount), amountInCents: true})
	p := &model.CentAmountPayload{Errors: errs}
	if fee != nil {
		a := scalars.CentAmount(*fee)
		p.Amount = &a
	}
	return p, nil
}

func (r *mutationResolver) IntraLedgerPaymentSend(ctx context.Context, in model.IntraLedgerPaymentSendInput) (*model.PaymentSendPayload, error) {
	c := callerFrom(ctx)
	return payPayload(r.s.payIntraledger(intraPay{
		callerID: c.accountID(), key: c.key, walletID: in.WalletID, recipientWalletID: in.RecipientWalletID,
		amount: int64(in.Amount), memo: in.Memo,
	})), nil
}

func (r *mutationResolver) IntraLedgerUsdPaymentSend(ctx context.Context, in model.IntraLedgerUsdPaymentSendInput) (*model.PaymentSendPayload, error) {
	c := callerFrom(ctx)
	return payPayload(r.s.payIntraledger(intraPay{
		callerID: c.accountID(), key: c.key, walletID: in.WalletID, recipientWalletID: in.RecipientWalletID,
		amount: int64(in.Amount), inCents: true, memo: in.Memo,
	})), nil
}

var errLnurl = &AppError{Code: "LNURL_REQUEST_INVOICE_ERROR", Message: "Error fetching invoice from lightning address or LNURL"}

// payUsername pays amount sats to the default wallet of a fake account,
// through an invoice minted for the purpose, as the real server does for a
// lightning address or LNURL of a Blink user.
func (r *mutationResolver) payUsername(ctx context.Context, walletID, username string, amount int64) *model.PaymentSendPayload {
	if e := checkWalletID(walletID); e != nil {
		return payPayload(invalid(e))
	}
	if e := checkAmountScalar(amount, "SatAmount"); e != nil {
		return payPayload(invalid(e))
	}
	c := callerFrom(ctx)
	s := r.s
	s.mu.Lock()
	if _, ok := s.walletOf(c.accountID(), walletID); !ok {
		s.mu.Unlock()
		return payPayload(invalid(errInvalidWalletForAccount))
	}
	if amount == 0 {
		s.mu.Unlock()
		return payPayload(failed(errInvalidSats))
	}
	a, ok := s.byUsername[strings.ToLower(username)]
	if !ok {
		s.mu.Unlock()
		return payPayload(failed(errLnurl))
	}
	now := s.now()
	inv := &invoice{walletID: a.defaultWallet, sats: amount, createdAt: now, expiresAt: now.Add(btcDefaultExpiry)}
	if err := s.mint(inv); err != nil {
		s.mu.Unlock()
		return payPayload(failed(&AppError{Code: "UNKNOWN_CLIENT_ERROR", Message: err.Error()}))
	}
	inv.externalID = inv.hash
	s.addInvoice(inv)
	s.mu.Unlock()
	return payPayload(s.payLightning(lnPay{callerID: c.accountID(), key: c.key, walletID: walletID, paymentRequest: inv.request}))
}

func (r *mutationResolver) LnAddressPaymentSend(ctx context.Context, in model.LnAddressPaymentSendInput) (*model.PaymentSendPayload, error) {
	user, domain, ok := strings.Cut(in.LnAddress, "@")
	if !ok || !strings.EqualFold(domain, LightningAddressDomain) {
		return payPayload(failed(errLnurl)), nil
	}
	return r.payUsername(ctx, in.WalletID, user, int64(in.Amount)), nil
}

// lnurlUsername extracts the username of an LNURL-pay link of the fake:
// bech32 "lnurl1..." or "lnurlp://" / "https://" URLs of the form
// <domain>/.well-known/lnurlp/<username>.
func lnurlUsername(s string) (string, bool) {
	raw := s
	if strings.HasPrefix(strings.ToLower(s), "lnurl1") {
		_, data, err := bech32.DecodeNoLimit(strings.ToLower(s))
		if err != nil {
			return "", false
		}
		b, err := bech32.ConvertBits(data, 5, 8, false)
		if err != nil {
			return "", false
		}
		raw = string(b)
	}
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Hostname(), LightningAddressDomain) {
		return "", false
	}
	i := strings.LastIndex(u.Path, "/")
	if i < 0 || i == len(u.Path)-1 {
		return "", false
	}
	return u.Path[i+1:], true
}

func (r *mutationResolver) LnurlPaymentSend(ctx context.Context, in model.LnurlPaymentSendInput) (*model.PaymentSendPayload, error) {
	user, ok := lnurlUsername(in.Lnurl)
	if !ok {
		return payPayload(failed(errLnurl)), nil
	}
	return r.payUsername(ctx, in.WalletID, user, int64(in.Amount)), nil
}

func (r *mutationResolver) chain(ctx context.Context, p chainPay) *model.PaymentSendPayload {
	c := callerFrom(ctx)
	p.callerID, p.key = c.accountID(), c.key
	return payPayload(r.s.payOnChain(p))
}

func (r *mutationResolver) OnChainPaymentSend(ctx context.Context, in model.OnChainPaymentSendInput) (*model.PaymentSendPayload, error) {
	return r.chain(ctx, chainPay{walletID: in.WalletID, address: in.Address, amount: int64(in.Amount), speed: string(in.Speed), memo: in.Memo}), nil
}

func (r *mutationResolver) OnChainPaymentSendAll(ctx context.Context, in model.OnChainPaymentSendAllInput) (*model.PaymentSendPayload, error) {
	return r.chain(ctx, chainPay{walletID: in.WalletID, address: in.Address, all: true, speed: string(in.Speed), memo: in.Memo}), nil
}

func (r *mutationResolver) OnChainUsdPaymentSend(ctx context.Context, in model.OnChainUsdPaymentSendInput) (*model.PaymentSendPayload, error) {
	return r.chain(ctx, chainPay{walletID: in.WalletID, address: in.Address, amount: int64(in.Amount), inCents: true, speed: string(in.Speed), memo: in.Memo}), nil
}

func (r *mutationResolver) OnChainUsdPaymentSendAsBtcDenominated(ctx context.Context, in model.OnChainUsdPaymentSendAsBtcDenominatedInput) (*model.PaymentSendPayload, error) {
	return r.chain(ctx, chainPay{walletID: in.WalletID, address: in.Address, amount: int64(in.Amount), speed: string(in.Speed), memo: in.Memo}), nil
}

func addressPayload(addr string, e *AppError) *model.OnChainAddressPayload {
	if e != nil {
		return &model.OnChainAddressPayload{Errors: gqlErrors(e)}
	}
	return &model.OnChainAddressPayload{Errors: []model.Error{}, Address: &addr}
}

func (r *mutationResolver) OnChainAddressCreate(ctx context.Context, in model.OnChainAddressCreateInput) (*model.OnChainAddressPayload, error) {
	return addressPayload(r.s.onChainAddress(callerFrom(ctx).accountID(), in.WalletID, true)), nil
}

func (r *mutationResolver) OnChainAddressCurrent(ctx context.Context, in model.OnChainAddressCurrentInput) (*model.OnChainAddressPayload, error) {
	return addressPayload(r.s.onChainAddress(callerFrom(ctx).accountID(), in.WalletID, false)), nil
}

func (r *mutationResolver) CallbackEndpointAdd(ctx context.Context, in model.CallbackEndpointAddInput) (*model.CallbackEndpointAddPayload, error) {
	s := r.s
	if e := s.checkCallbackURL(in.URL); e != nil {
		return &model.CallbackEndpointAddPayload{Errors: gqlErrors(e)}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	ep := endpoint{id: "ep_" + randomAlnum(27), url: in.URL}
	a.endpoints = append(a.endpoints, ep)
	return &model.CallbackEndpointAddPayload{Errors: []model.Error{}, ID: &ep.id}, nil
}

func (r *mutationResolver) CallbackEndpointDelete(ctx context.Context, in model.CallbackEndpointDeleteInput) (*model.SuccessPayload, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	for i, ep := range a.endpoints {
		if ep.id == in.ID {
			a.endpoints = append(a.endpoints[:i], a.endpoints[i+1:]...)
			t := true
			return &model.SuccessPayload{Errors: []model.Error{}, Success: &t}, nil
		}
	}
	f := false
	return &model.SuccessPayload{Errors: gqlErrors(unexpected("CallbackError: endpoint not found")), Success: &f}, nil
}
