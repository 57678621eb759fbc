package main

import (
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/bindingstatus"
)

// StatusCmd runs the binding status controller.
type StatusCmd struct {
	Kubeconfig              string   `env:"KUBECONFIG"                       help:"Kubeconfig of the control plane; in-cluster configuration when empty."`
	ConfigNamespace         string   `default:"breakglass-system"            help:"Namespace of the ClusterConfigs, as the function input's configNamespace."`
	BindingNamespaces       []string `help:"Namespaces whose bindings the function trusts, as the function input's bindingNamespaces (default: the config namespace; * for all)."`
	LeaderElect             bool     `default:"true"                         help:"Elect a leader, so that only one replica writes status." negatable:""`
	LeaderElectionNamespace string   `help:"Namespace of the leader election Lease; the pod's namespace when empty."`
	HealthAddress           string   `default:":8081"                        help:"Address of the /healthz and /readyz probes."`
	MetricsAddress          string   `default:":8080"                        help:"Address of the controller's Prometheus metrics; 0 disables them."`
	Debug                   bool     `help:"Emit debug logs."                short:"d"`
}

// Run the controller until it is stopped (SIGTERM, SIGINT) or loses its
// lease.
func (c *StatusCmd) Run() error {
	log := zap.New(zap.UseDevMode(c.Debug))
	ctrl.SetLogger(log)
	cfg, err := c.restConfig()
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		LeaderElection:          c.LeaderElect,
		LeaderElectionID:        "binding-status.debugsession.fn.breakglass.telekom.de",
		LeaderElectionNamespace: c.LeaderElectionNamespace,
		// Stepping down at once on shutdown lets the next replica take
		// over without waiting for the lease to expire.
		LeaderElectionReleaseOnCancel: true,
		HealthProbeBindAddress:        c.HealthAddress,
		Metrics:                       metricsserver.Options{BindAddress: c.MetricsAddress},
		// Every object is read as unstructured (these API types have no
		// list types or scheme), and controller-runtime sends unstructured
		// reads straight to the API server unless told otherwise. Reading
		// them from the informers' cache is what keeps this controller
		// from LIST storms, and what makes the status.binding index usable
		// at all: the API server has no field selector for it.
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}},
	})
	if err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	in := &v1beta1.Input{ConfigNamespace: c.ConfigNamespace, BindingNamespaces: c.BindingNamespaces}
	if err := bindingstatus.Setup(ctx, mgr, in); err != nil {
		return err
	}
	log.Info("Starting the binding status controller", "configNamespace", in.GetConfigNamespace(), "bindingNamespaces", in.GetBindingNamespaces())
	return mgr.Start(ctx)
}

func (c *StatusCmd) restConfig() (*rest.Config, error) {
	if c.Kubeconfig == "" {
		return ctrl.GetConfig()
	}
	return clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
}
