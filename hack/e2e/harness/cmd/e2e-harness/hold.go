package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"unsafe"
)

// runHold brings up the loopback interface of the network namespace it runs
// in and then waits to be terminated. Started under `unshare --net`, it owns
// the private namespace that every control plane component joins with
// nsenter: Crossplane and the function SDK serve metrics on every interface,
// and inside the namespace "every interface" is only its own loopback. The
// namespace disappears with the last process in it.
func runHold(args []string) error {
	fs := flag.NewFlagSet("hold", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackUp(); err != nil {
		return fmt.Errorf("cannot bring up lo: %w", err)
	}
	fmt.Println("ready")
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	<-ch
	return nil
}

// loopbackUp does what `ip link set lo up` does, so that the harness does not
// depend on iproute2 being installed.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd) //nolint:errcheck // Nothing to do about a failed close of a probe socket.

	// struct ifreq: a 16-byte interface name followed by a union whose first
	// member, for these requests, is the 16-bit flags word.
	var ifr [40]byte
	copy(ifr[:], "lo")
	if err := ioctl(fd, syscall.SIOCGIFFLAGS, &ifr); err != nil {
		return err
	}
	flags := binary.NativeEndian.Uint16(ifr[16:18]) | syscall.IFF_UP | syscall.IFF_RUNNING
	binary.NativeEndian.PutUint16(ifr[16:18], flags)
	return ioctl(fd, syscall.SIOCSIFFLAGS, &ifr)
}

func ioctl(fd int, req uintptr, ifr *[40]byte) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&ifr[0]))); errno != 0 {
		return errors.New(errno.Error())
	}
	return nil
}
