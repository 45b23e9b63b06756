package com.example.semanticsearch;

import software.amazon.awscdk.App;

public final class SemanticSearchApp {
    public static void main(final String[] args) {
        App app = new App();
        new SemanticSearchStack(app, "SemanticSearchExample");
        app.synth();
    }
}
