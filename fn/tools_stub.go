package main

type ValidateCmd struct{}

func (c *ValidateCmd) Run() error { return nil }


type APICmd struct{}

func (c *APICmd) Run() error { return nil }

type SummarizeCmd struct{}

func (c *SummarizeCmd) Run() error { return nil }
