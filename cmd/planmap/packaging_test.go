package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// composeCommand returns the Compose client this machine has: the docker
// plugin, or Debian's docker-compose. No engine is needed to validate.
func composeCommand(t *testing.T) []string {
	if out, err := exec.Command("docker", "compose", "version").CombinedOutput(); err == nil && strings.Contains(string(out), "version") {
		return []string{"docker", "compose"}
	}
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}
	}
	t.Fatal("no Compose client: .ci/install installs docker-compose")
	return nil
}

func TestComposeFileIsValid(t *testing.T) {
	compose := composeCommand(t)
	cmd := exec.Command(compose[0], append(compose[1:], "-f", "../../docs/deploy/compose.yaml", "config")...)
	cmd.Env = append(os.Environ(), "PLANMAP_DB_PASSWORD=secret-for-test")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("compose config: %v\n%s", err, out)
	}
	for _, want := range []string{"postgis/postgis", "dockerfile: docs/deploy/Dockerfile", "read_only: true", "service_healthy", "DATABASE_URL: postgres://planmap:secret-for-test@db:5432/planmap"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the resolved compose file lacks %q:\n%s", want, out)
		}
	}
	// Without a password it refuses, naming the variable.
	cmd = exec.Command(compose[0], append(compose[1:], "-f", "../../docs/deploy/compose.yaml", "config", "-q")...)
	cmd.Env = append(os.Environ(), "PLANMAP_DB_PASSWORD=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "PLANMAP_DB_PASSWORD") {
		t.Fatalf("compose without a password: %v %s", err, out)
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../docs/deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(s, -1)); n < 3 {
		t.Errorf("%d stages; want the front end, the binary and the runtime", n)
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(s)
	if user == nil || strings.HasPrefix(user[1], "root") || strings.HasPrefix(user[1], "0") {
		t.Errorf("the image must run as a non-root user, has %v", user)
	}
	if !strings.Contains(s, "-X main.version=${VERSION}") {
		t.Error("the release build does not stamp the version")
	}
	// The stamped variable is the one `planmap version` prints.
	if version != "dev" {
		t.Errorf("tests are built unstamped; version is %q", version)
	}
}

func TestReleaseBuildStampsTheVersion(t *testing.T) {
	bin := t.TempDir() + "/planmap"
	if out, err := exec.Command("go", "build", "-ldflags", "-X main.version=v1.2.3-test", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "planmap v1.2.3-test" {
		t.Fatalf("version: %q %v", out, err)
	}
}
