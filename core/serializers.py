from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import authenticate
from rest_framework import serializers

from core.markdown import render_markdown
from core.models import Person, Team


class TeamSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    description_html = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "parent", "description", "description_html"]

    def get_description_html(self, team: Team) -> str:
        return render_markdown(team.description)


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    bio_html = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "username",
            "email",
            "team",
            "manager",
            "career_stage",
            "title",
            "timezone",
            "joined_on",
            "bio",
            "bio_html",
        ]

    def get_bio_html(self, person: Person) -> str:
        return render_markdown(person.bio)


class TokenRequestSerializer(serializers.Serializer):
    """Username (or email) and password; plus a TOTP code for accounts that use one."""

    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True, help_text="TOTP code, if set up")

    def validate(self, attrs: dict) -> dict:
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError("Unable to sign in with these credentials.")
        if is_mfa_enabled(user, types=[Authenticator.Type.TOTP]):
            authenticator = user.authenticator_set.get(type=Authenticator.Type.TOTP)
            if not attrs.get("otp") or not TOTP(authenticator).validate_code(attrs["otp"]):
                raise serializers.ValidationError(
                    {"otp": "This account uses two-factor authentication: give a current code."}
                )
        elif user.is_staff and settings.STAFF_MFA_REQUIRED:
            raise serializers.ValidationError(
                "Staff accounts must set up two-factor authentication before using the API."
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class PersonRefSerializer(serializers.ModelSerializer):
    """A person as other objects refer to them: id and display name."""

    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name"]
