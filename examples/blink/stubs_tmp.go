package main

import "github.com/spf13/cobra"

func (a *app) balanceCommand() *cobra.Command { return &cobra.Command{Use: "balance"} }
func (a *app) walletsCommand() *cobra.Command { return &cobra.Command{Use: "wallets"} }
func (a *app) txCommand() *cobra.Command      { return &cobra.Command{Use: "tx"} }
func (a *app) priceCommand() *cobra.Command   { return &cobra.Command{Use: "price"} }
func (a *app) invoiceCommand() *cobra.Command { return &cobra.Command{Use: "invoice"} }
func (a *app) payCommand() *cobra.Command     { return &cobra.Command{Use: "pay"} }
func (a *app) resolveCommand() *cobra.Command { return &cobra.Command{Use: "resolve"} }
func (a *app) listenCommand() *cobra.Command  { return &cobra.Command{Use: "listen"} }
func (a *app) fakeCommand() *cobra.Command    { return &cobra.Command{Use: "fake"} }
