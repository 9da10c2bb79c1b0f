package main

import "github.com/spf13/cobra"

func (a *app) fakeCommand() *cobra.Command    { return &cobra.Command{Use: "fake"} }
