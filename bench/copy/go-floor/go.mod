module lifeboat.dev/bench/go-floor

go 1.24
