package main



type APICmd struct{}

func (c *APICmd) Run() error { return nil }

type SummarizeCmd struct{}

func (c *SummarizeCmd) Run() error { return nil }
